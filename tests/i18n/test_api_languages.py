"""The API in the language asked for: ``Accept-Language`` chooses the labels and the error messages, and each
questionnaire label says which language it is in."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.i18n import gettext, use_locale
from app.questionnaires import service
from tests.api.helpers import auth_for
from tests.factories import make_cycle, make_submission, make_user


def test_section_titles_follow_accept_language_and_name_their_language(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    data = service.definition_for(session, cycle).as_json()
    first = data["sections"][0]
    first["label"]["fr"] = "Comment l’examen a été préparé"
    service.replace_definition(session, cycle=cycle, data=data)
    submission = make_submission(session, cycle=cycle)
    headers = auth_for(session, make_user(session, role=Role.secretariat))

    french = client.get(f"/api/v1/submissions/{submission.id}", headers={**headers, "Accept-Language": "fr"}).json()
    section = next(s for s in french["sections"] if s["key"] == first["key"])
    assert section == section | {"title": "Comment l’examen a été préparé", "title_lang": "fr"}

    russian = client.get(f"/api/v1/submissions/{submission.id}", headers={**headers, "Accept-Language": "ru"}).json()
    section = next(s for s in russian["sections"] if s["key"] == first["key"])
    assert section["title"] == first["label"]["en"] and section["title_lang"] == "en"


def test_error_messages_follow_accept_language(client: TestClient, session: Session) -> None:
    headers = auth_for(session, make_user(session, role=Role.secretariat))
    for code in ("en", "zh", "fr", "ru"):
        response = client.get("/api/v1/submissions/987654", headers={**headers, "Accept-Language": code})
        assert response.status_code == 404
        assert response.headers["content-language"] == code
        with use_locale(code):
            expected = gettext("The page or record was not found.")
        assert response.json()["message"] == expected
        if code != "en":
            assert expected != "The page or record was not found."


def test_validation_messages_follow_accept_language(client: TestClient, session: Session) -> None:
    headers = auth_for(session, make_user(session, role=Role.focal_point, country="PHL"))
    for code in ("en", "zh", "fr", "ru"):
        response = client.post("/api/v1/commitments", json={}, headers={**headers, "Accept-Language": code})
        assert response.status_code == 422
        messages = {e["message"] for e in response.json()["errors"]}
        with use_locale(code):
            required = gettext("This field is required.")
        assert required in messages, messages
        if code != "en":
            assert required != "This field is required."
            assert "Field required" not in messages  # Pydantic's own English words are not shown
