"""The questionnaire page: the secretariat reads a cycle's questionnaire, downloads it and replaces it from a file;
a bad file is listed problem by problem with nothing changed; focal points and preparers are refused."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.questionnaires import service, xlsform
from app.questionnaires.schemas import parse
from tests.factories import csrf_token, make_cycle, make_user, sign_in


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
    data = json.loads(json.dumps(before))
    del data["objective_questions"][-1]  # removing a question of an open cycle
    data["objective_questions"][0]["type"] = "essay"
    refused = _upload(client, cycle.id, "q.json", json.dumps(data).encode(), "application/json")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "objective_questions[0].type" in refused.text  # type: ignore[attr-defined]
    assert "has not changed" in refused.text  # type: ignore[attr-defined]
    del data["objective_questions"][0]["type"]
    data["objective_questions"][0]["type"] = "single_choice"
    refused = _upload(client, cycle.id, "q.json", json.dumps(data).encode(), "application/json")
    assert "commitments cannot be removed" in refused.text  # type: ignore[attr-defined]
    garbage = _upload(client, cycle.id, "q.txt", b"\xff\xfe nonsense", "text/plain")
    assert garbage.status_code == 422 and "JSON file" in garbage.text  # type: ignore[attr-defined]
    assert service.definition_for(session, cycle).as_json() == before


@pytest.mark.parametrize("role", [Role.focal_point, Role.preparer])
def test_others_cannot_read_or_replace_it(client: TestClient, session: Session, role: Role) -> None:
    cycle = make_cycle(session)
    sign_in(client, make_user(session, role=role, country="PHL" if role is Role.focal_point else None))
    assert client.get(f"/questionnaires/{cycle.id}").status_code == 403
    assert client.get(f"/questionnaires/{cycle.id}/download").status_code == 403
