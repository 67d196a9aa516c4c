"""The stakeholder questionnaire: authored, downloaded, replaced and exported like the States' one, beside it; once a
cycle is open, what contributions answered is protected as the States' answers are."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.questionnaires import service, xlsform
from app.questionnaires.defaults import default_definition, default_stakeholder_definition
from app.questionnaires.models import QuestionnaireKind
from app.questionnaires.schemas import DefinitionInvalid, parse
from tests.contributions.helpers import drafted
from tests.factories import csrf_token, make_cycle, make_user, post_form, sign_in
from tests.test_cli import cli_db, gcm  # noqa: F401

K = QuestionnaireKind.stakeholders


def test_the_default_stakeholder_questionnaire_asks_about_the_organisation_and_per_objective() -> None:
    definition = default_stakeholder_definition()
    assert [s.key for s in definition.sections] == ["about"]
    assert definition.sections[0].questions[0].required
    assert [q.key for q in definition.objective_questions] == [
        "what_we_did",
        "observations",
        "good_practices",
        "recommendations",
    ]
    assert all(q.max_length for q in definition.objective_questions)


def test_a_cycle_has_both_questionnaires_each_kept_apart(session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    assert service.definition_for(session, cycle).as_json() == default_definition().as_json()
    assert service.definition_for(session, cycle, K).as_json() == default_stakeholder_definition().as_json()
    data = default_stakeholder_definition().as_json()
    data["objective_questions"].append({"key": "allies", "type": "short_text", "label": {"en": "Allies"}})
    assert service.replace_definition(session, cycle=cycle, data=data, kind=K)
    assert service.definition_for(session, cycle, K).question("objective:1", "allies") is not None
    assert service.definition_for(session, cycle).question("objective:1", "allies") is None
    later = make_cycle(session, status=CycleStatus.planned)
    assert service.start_for(session, later, K).definition == service.definition_for(session, cycle, K).as_json()


def test_once_open_a_question_contributions_answered_cannot_be_removed(session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.open)
    drafted(session, cycle=cycle)
    data = service.definition_for(session, cycle, K).as_json()
    data["objective_questions"] = [q for q in data["objective_questions"] if q["key"] != "what_we_did"]
    with pytest.raises(DefinitionInvalid) as refused:
        service.replace_definition(session, cycle=cycle, data=data, kind=K)
    assert "what_we_did" in refused.value.problems[0].message and "2 answer(s)" in refused.value.problems[0].message
    data = service.definition_for(session, cycle, K).as_json()
    data["sections"] = []
    with pytest.raises(DefinitionInvalid):
        service.replace_definition(session, cycle=cycle, data=data, kind=K)
    data = service.definition_for(session, cycle, K).as_json()
    data["objective_questions"] = [q for q in data["objective_questions"] if q["key"] != "recommendations"]
    assert service.replace_definition(session, cycle=cycle, data=data, kind=K)  # nobody answered it


def test_the_secretariat_authors_the_stakeholder_questionnaire_on_its_page(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/questionnaires/{cycle.id}?questionnaire=stakeholders")
    assert page.status_code == 200 and "Stakeholder questionnaire" in page.text and "what_we_did" in page.text
    assert "questionnaire=stakeholders" in page.text  # its links keep the kind
    exported = client.get(f"/questionnaires/{cycle.id}/download?format=json&questionnaire=stakeholders")
    assert exported.status_code == 200 and "stakeholders" in exported.headers["content-disposition"]
    data = exported.json()
    data["sections"][0]["questions"].append({"key": "member_count", "type": "number", "label": {"en": "Member count"}})
    done = client.post(
        f"/questionnaires/{cycle.id}?questionnaire=stakeholders",
        data={"csrf_token": csrf_token(client)},
        files={"upload": ("q.json", io.BytesIO(json.dumps(data).encode()), "application/json")},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "questionnaire=stakeholders" in done.headers["location"]
    assert service.definition_for(session, cycle, K).question("section:about", "member_count") is not None
    assert "member_count" not in client.get(f"/questionnaires/{cycle.id}").text
    workbook = client.get(f"/questionnaires/{cycle.id}/download?format=xlsx&questionnaire=stakeholders")
    assert (
        parse(xlsform.from_workbook(workbook.content)).as_json() == service.definition_for(session, cycle, K).as_json()
    )
    added = post_form(
        client,
        f"/questionnaires/{cycle.id}/new?questionnaire=stakeholders",
        {"part": "objective", "key": "allies", "type": "short_text", "label_en": "Allies"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert service.definition_for(session, cycle, K).question("objective:2", "allies") is not None
    edit = client.get(f"/questionnaires/{cycle.id}/objective/allies?questionnaire=stakeholders")
    assert edit.status_code == 200
    preview = client.get(f"/questionnaires/{cycle.id}/preview?questionnaire=stakeholders")
    assert preview.status_code == 200 and "what an organisation is asked" in preview.text
    assert client.get(f"/questionnaires/{cycle.id}?questionnaire=nonesuch").status_code == 404


def test_the_cli_exports_and_imports_the_stakeholder_questionnaire(cli_db: str, tmp_path: Path) -> None:  # noqa: F811
    gcm("db", "upgrade")
    gcm("seed")
    gcm(
        "cycle", "create", "--name", "2030 review", "--opens", "2030-01-01", "--deadline", "2030-06-30",
        "--closes", "2030-12-31",
    )  # fmt: skip
    file = tmp_path / "s.json"
    gcm("questionnaire", "export", "2030 review", str(file), "--kind", "stakeholders")
    exported = json.loads(file.read_text(encoding="utf-8"))
    assert exported == default_stakeholder_definition().as_json()
    exported["objective_questions"].append({"key": "remarks", "type": "short_text", "label": {"en": "Remarks"}})
    file.write_text(json.dumps(exported), encoding="utf-8")
    assert "replaced" in gcm("questionnaire", "import", "2030 review", str(file), "--kind", "stakeholders")
    states = tmp_path / "states.json"
    gcm("questionnaire", "export", "2030 review", str(states))
    assert "remarks" not in states.read_text(encoding="utf-8")
    assert "stakeholders" in gcm("questionnaire", "export", "2030 review", str(file), "--kind", "x", ok=False)
