"""The questionnaire page: the secretariat reads a cycle's questionnaire, downloads it and replaces it from a file;
a bad file is listed problem by problem with nothing changed; focal points and preparers are refused."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.questionnaires import service, xlsform
from app.questionnaires.schemas import parse
from tests.factories import csrf_token, make_cycle, make_submission, make_user, set_answers, sign_in


def _upload(client: TestClient, cycle_id: int, name: str, data: bytes, content_type: str) -> object:
    return client.post(
        f"/questionnaires/{cycle_id}",
        data={"csrf_token": csrf_token(client)},
        files={"upload": (name, io.BytesIO(data), content_type)},
        follow_redirects=False,
    )


def test_the_secretariat_downloads_and_replaces_a_questionnaire(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/questionnaires/{cycle.id}")
    assert page.status_code == 200 and "Asked for each objective" in page.text and "narrative" in page.text
    exported = client.get(f"/questionnaires/{cycle.id}/download?format=json")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    data["sections"][0]["questions"].append(
        {"key": "covid", "type": "yes_no", "label": {"en": "Did COVID-19 affect implementation?"}}
    )
    done = _upload(client, cycle.id, "q.json", json.dumps(data).encode(), "application/json")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert "Did COVID-19 affect implementation?" in client.get(f"/questionnaires/{cycle.id}").text
    workbook = client.get(f"/questionnaires/{cycle.id}/download?format=xlsx")
    assert workbook.status_code == 200
    assert parse(xlsform.from_workbook(workbook.content)).as_json() == service.definition_for(session, cycle).as_json()
    again = _upload(client, cycle.id, "q.xlsx", workbook.content, xlsform_type())
    assert again.status_code == 303 and "unchanged" in again.headers["location"]  # type: ignore[attr-defined]


def xlsform_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_bad_file_lists_each_problem_and_changes_nothing(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.open)
    sign_in(client, make_user(session, role=Role.admin))
    before = service.definition_for(session, cycle).as_json()
    submission = make_submission(session, cycle=cycle)
    set_answers(session, submission, "objective:1", {"principles": ["a"]})
    data = json.loads(json.dumps(before))
    data["objective_questions"] = [q for q in data["objective_questions"] if q["key"] != "principles"]  # answered
    data["objective_questions"][0]["type"] = "essay"
    refused = _upload(client, cycle.id, "q.json", json.dumps(data).encode(), "application/json")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "objective_questions[0].type" in refused.text  # type: ignore[attr-defined]
    assert "has not changed" in refused.text  # type: ignore[attr-defined]
    del data["objective_questions"][0]["type"]
    data["objective_questions"][0]["type"] = "single_choice"
    refused = _upload(client, cycle.id, "q.json", json.dumps(data).encode(), "application/json")
    assert "principles cannot be removed" in refused.text  # type: ignore[attr-defined]
    garbage = _upload(client, cycle.id, "q.txt", b"\xff\xfe nonsense", "text/plain")
    assert garbage.status_code == 422 and "JSON file" in garbage.text  # type: ignore[attr-defined]
    assert service.definition_for(session, cycle).as_json() == before


@pytest.mark.parametrize("role", [Role.focal_point, Role.preparer])
def test_others_cannot_read_or_replace_it(client: TestClient, session: Session, role: Role) -> None:
    cycle = make_cycle(session)
    sign_in(client, make_user(session, role=role, country="PHL" if role is Role.focal_point else None))
    assert client.get(f"/questionnaires/{cycle.id}").status_code == 403
    assert client.get(f"/questionnaires/{cycle.id}/download").status_code == 403


def _post(client: TestClient, url: str, data: dict[str, str]) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client), **data}, follow_redirects=False)


def test_the_secretariat_adds_edits_moves_and_removes_questions(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.open)
    sign_in(client, make_user(session, role=Role.secretariat))
    assert client.get(f"/questionnaires/{cycle.id}/new?part=section:preparation").status_code == 200
    added = _post(client, f"/questionnaires/{cycle.id}/new", {
        "part": "section:preparation", "key": "covid", "type": "yes_no",
        "label_en": "Did COVID-19 affect implementation?", "label_ru": "Повлиял ли COVID-19 на осуществление?",
    })  # fmt: skip
    assert added.status_code == 303, added.text
    follow = _post(client, f"/questionnaires/{cycle.id}/new", {
        "part": "section:preparation", "key": "covid_how", "type": "long_text", "label_en": "How?",
        "show_if_key": "covid", "show_if_equals": "yes", "max_length": "3000",
    })  # fmt: skip
    assert follow.status_code == 303, follow.text
    section = service.definition_for(session, cycle).sections[0]
    assert [q.key for q in section.questions] == ["preparation", "covid", "covid_how"]
    assert section.questions[2].show_if is not None and section.questions[2].show_if.equals is True
    assert section.questions[1].label["ru"].startswith("Повлиял")
    page = client.get(f"/questionnaires/{cycle.id}/section/covid_how")
    assert page.status_code == 200 and 'value="How?"' in page.text
    edited = _post(client, f"/questionnaires/{cycle.id}/section/covid_how", {
        "key": "covid_how", "type": "long_text", "label_en": "How did it?", "label_fr": "Comment ?",
        "show_if_key": "covid", "show_if_equals": "yes", "max_length": "3000",
    })  # fmt: skip
    assert edited.status_code == 303
    # A follow-up cannot come before the question it depends on...
    before_its_condition = _post(client, f"/questionnaires/{cycle.id}/section/covid_how", {"action": "up"})
    assert before_its_condition.status_code == 422 and "not an earlier question" in before_its_condition.text
    moved = _post(client, f"/questionnaires/{cycle.id}/section/covid", {"action": "up"})  # ...but may move up
    assert moved.status_code == 303
    section = service.definition_for(session, cycle).sections[0]
    assert [q.key for q in section.questions] == ["covid", "preparation", "covid_how"]
    assert section.questions[2].label == {"en": "How did it?", "fr": "Comment ?"}
    # The cycle is open: removing a question that has answers is refused with the reason, and nothing changes.
    set_answers(session, make_submission(session, cycle=cycle), "objective:1", {"narrative": "Done."})
    refused = _post(client, f"/questionnaires/{cycle.id}/objective/narrative", {"action": "remove", "key": "narrative"})
    assert refused.status_code == 422 and "cannot be removed" in refused.text
    assert "1 answer(s) would be orphaned" in refused.text
    assert "narrative" in [q.key for q in service.definition_for(session, cycle).objective_questions]


def test_a_wrong_question_keeps_what_was_typed_with_messages_beside_the_fields(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    sign_in(client, make_user(session, role=Role.admin))
    before = service.definition_for(session, cycle).as_json()
    refused = _post(client, f"/questionnaires/{cycle.id}/new", {
        "part": "objective", "key": "Bad Key", "type": "single_choice", "label_en": "", "label_fr": "Niveau",
        "choices": "", "max_length": "12",
    })  # fmt: skip
    assert refused.status_code == 422
    text = refused.text
    assert 'id="key-error"' in text and 'id="label_en-error"' in text and 'id="choices-error"' in text
    assert 'value="Bad Key"' in text and 'value="Niveau"' in text  # kept as typed
    assert service.definition_for(session, cycle).as_json() == before
    assert client.get(f"/questionnaires/{cycle.id}/objective/nonesuch").status_code == 404
    assert client.get(f"/questionnaires/{cycle.id}/elsewhere/narrative").status_code == 404


def test_the_preview_shows_every_question_as_a_focal_point_is_asked(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    data = service.definition_for(session, cycle).as_json()
    data["sections"][0]["questions"].append({"key": "covid", "type": "yes_no", "label": {"en": "Did COVID-19 matter?"}})
    data["objective_questions"].append(
        {"key": "budget", "type": "number", "label": {"en": "Budget spent"}, "unit": "USD", "objectives": [10]}
    )
    service.replace_definition(session, cycle=cycle, data=data)
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/questionnaires/{cycle.id}/preview")
    assert page.status_code == 200
    assert "Did COVID-19 matter?" in page.text and "How the review was prepared" in page.text
    assert "Not started" in page.text and "Why the objective is not reported this cycle" in page.text
    assert "Budget spent" not in page.text  # asked for objective 10 only
    assert "Budget spent" in client.get(f"/questionnaires/{cycle.id}/preview?objective=10").text
    assert client.get(f"/questionnaires/{cycle.id}/preview?objective=99x").status_code == 200
