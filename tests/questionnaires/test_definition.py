"""Questionnaires as data: the default one is today's review, a definition is checked whole, the rules once a
cycle is open, a new cycle's copy, the file round trip (CLI) and the API."""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.cycles import service as cycles
from app.cycles.models import CycleStatus
from app.cycles.schemas import CycleForm
from app.db import create_db_engine
from app.migrate import upgrade
from app.questionnaires import queries, service
from app.questionnaires.defaults import default_definition
from app.questionnaires.schemas import Definition, DefinitionInvalid, QuestionType
from app.submissions.models import SectionKey
from app.submissions.rules import NOT_REPORTED_REASON_MAX, PROGRESS_SCALE, REPORT_FIELDS, SECTION_MAX
from tests.api.helpers import auth
from tests.databases import throwaway_database
from tests.factories import make_cycle, make_submission, set_answers
from tests.test_cli import cli_db, gcm  # noqa: F401  (the CLI's fixture: a database of its own)

PREVIOUS_HEAD = "4f1c2a7d9e10"  # the head before questionnaires


def _default() -> dict[str, Any]:
    return default_definition().as_json()


def _normal(data: dict[str, Any]) -> dict[str, Any]:
    """As stored: every field with its default written out."""
    return Definition.model_validate(data).as_json()


def _problems(session: Session, data: object, status: CycleStatus = CycleStatus.planned) -> list[tuple[str, str]]:
    cycle = make_cycle(session, status=status)
    before = service.definition_for(session, cycle).as_json()
    with pytest.raises(DefinitionInvalid) as caught:
        service.replace_definition(session, cycle=cycle, data=data)
    assert service.definition_for(session, cycle).as_json() == before  # nothing changed
    return [(p.where, p.message) for p in caught.value.problems]


def test_the_default_questionnaire_is_todays_review() -> None:
    d = default_definition()
    assert [s.key for s in d.sections] == [k.value for k in SectionKey]
    assert all(q.required and q.max_length == SECTION_MAX for s in d.sections for q in s.questions)
    questions = {q.key: q for q in d.objective_questions}
    for spec in REPORT_FIELDS:
        assert questions[spec.name].max_length == spec.max_length and questions[spec.name].required == spec.required
    assert questions["not_reported_reason"].max_length == NOT_REPORTED_REASON_MAX
    assert questions["not_reported_reason"].show_if is not None
    assert questions["not_reported_reason"].show_if.equals == "not_reported"
    assert questions["progress_rating"].type is QuestionType.rating
    assert {questions["principles"].type, questions["commitments"].type} == {
        QuestionType.principles,
        QuestionType.commitments,
    }
    assert [(s.value, s.label["en"]) for s in d.rating_scale] == [
        (n, str(label)) for n, (label, _hint) in enumerate(PROGRESS_SCALE.values(), start=1)
    ]


def test_a_bad_definition_is_refused_whole_with_each_problem_and_where(session: Session) -> None:
    data = _default()
    data["objective_questions"][0]["type"] = "essay"  # an unknown type
    assert _problems(session, data)[0][0] == "objective_questions[0].type"
    data = _default()
    data["objective_questions"][3]["key"] = "narrative"  # a duplicate key (3 is narrative's neighbour)
    data["objective_questions"][4]["key"] = "narrative"
    data["objective_questions"][5]["choices"] = [{"value": "a", "label": {"en": "A"}}]  # choices on a text
    data["objective_questions"][1]["show_if"] = {"key": "nowhere", "equals": "x"}  # a condition on nothing
    data["sections"][0]["label"] = {"fr": "Préparation"}  # no English
    found = dict(_problems(session, data))
    assert "used twice" in found["objective_questions[4].key"]
    assert "Only choice questions" in found["objective_questions[5].choices"]
    assert "nowhere" in found["objective_questions[1].show_if.key"]
    assert "English" in found["sections[0].label"]


def test_before_a_cycle_opens_anything_may_change(session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    data = _default()
    del data["objective_questions"][-1]  # the pledges question removed
    data["objective_questions"][2]["type"] = "number"  # the rating becomes a number
    data["objective_questions"][2].pop("show_if")
    assert service.replace_definition(session, cycle=cycle, data=data)
    assert service.definition_for(session, cycle).as_json() == _normal(data)


def test_once_open_wording_order_and_optional_questions_may_change_but_nothing_answers_need(
    session: Session,
) -> None:
    cycle = make_cycle(session, status=CycleStatus.open)
    data = _default()
    data["sections"][0]["label"]["fr"] = "Comment l'examen a été préparé"
    data["sections"].reverse()
    data["sections"][0]["questions"].append(
        {"key": "covid", "type": "yes_no", "label": {"en": "Did COVID-19 affect implementation?"}}
    )
    data["sections"][0]["questions"].append(
        {"key": "covid_how", "type": "long_text", "label": {"en": "How?"}, "show_if": {"key": "covid", "equals": True}}
    )
    levels = [{"value": v, "label": {"en": v.title()}} for v in ("national", "regional", "global")]
    data["objective_questions"].append(
        {"key": "level", "type": "single_choice", "label": {"en": "L"}, "choices": levels}
    )
    assert service.replace_definition(session, cycle=cycle, data=data)
    data = _normal(data)
    submission = make_submission(session, cycle=cycle)
    section = data["sections"][0]["key"]
    set_answers(session, submission, "objective:1", {"level": "global", "challenges": "Funding."})
    set_answers(session, submission, "objective:2", {"challenges": "Data."})
    set_answers(session, submission, f"section:{section}", {section: "Our plan."})
    now = deepcopy(data)
    now["objective_questions"] = [q for q in now["objective_questions"] if q["key"] != "challenges"]  # answered
    now["objective_questions"][-1]["choices"] = levels[:2]  # removing a choice an answer chose
    now["sections"][0]["questions"][0]["type"] = "short_text"  # changing the type of an answered question
    now["sections"][0]["questions"].append(
        {"key": "more", "type": "short_text", "label": {"en": "M"}, "required": True}
    )
    with pytest.raises(DefinitionInvalid) as caught:
        service.replace_definition(session, cycle=cycle, data=now)
    messages = " ".join(p.message for p in caught.value.problems)
    assert (
        "The question challenges cannot be removed while the cycle is open: 2 answer(s) would be orphaned" in messages
    )
    assert "The choice global of level cannot be removed while the cycle is open: 1 answer(s)" in messages
    assert f"The type of {section} cannot change" in messages and "must be optional" in messages
    assert service.definition_for(session, cycle).as_json() == data
    # What no answer uses may still go: a question nobody answered, a choice nobody chose.
    unused = deepcopy(data)
    unused["objective_questions"] = [q for q in unused["objective_questions"] if q["key"] != "partners"]
    unused["objective_questions"][-1]["choices"] = [levels[0], levels[2]]
    assert service.replace_definition(session, cycle=cycle, data=unused)


def test_every_change_is_in_the_audit_trail(session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    data = _default()
    data["sections"][0]["hint"] = {"en": "A new hint."}
    service.replace_definition(session, cycle=cycle, data=data)
    questionnaire = queries.get_for_cycle(session, cycle.id)
    assert questionnaire is not None
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "questionnaire", AuditEvent.entity_id == str(questionnaire.id)
        )
    ).all()
    assert [e.action.value for e in events] == ["create", "update"]
    assert events[-1].after["definition"]["sections"][0]["hint"] == {"en": "A new hint."}


def test_a_new_cycle_starts_from_a_copy_of_the_previous_cycles_questionnaire(session: Session) -> None:
    previous = make_cycle(session, status=CycleStatus.planned)
    data = _default()
    data["objective_questions"].append({"key": "remarks", "type": "short_text", "label": {"en": "Remarks"}})
    service.replace_definition(session, cycle=previous, data=data)
    later = previous.opens_on.replace(year=previous.opens_on.year + 3)
    form = CycleForm(
        name="A later cycle", opens_on=str(later), deadline=str(later), closes_on=str(later.replace(month=12, day=31))
    )
    cycle = cycles.create_cycle(session, form=form)
    assert service.definition_for(session, cycle).as_json() == _normal(data)


def test_existing_cycles_get_the_default_questionnaire_when_migrated(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade(PREVIOUS_HEAD, database_url=url)
        engine = create_db_engine(url)
        try:
            with engine.begin() as conn:
                for n in (1, 2):
                    conn.execute(
                        text(
                            "INSERT INTO review_cycle (name, description, opens_on, deadline, closes_on, status,"
                            " created_at, updated_at, version) VALUES (:name, '', '2024-01-01', '2024-06-01',"
                            " '2024-12-31', 'closed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                        ),
                        {"name": f"Cycle {n}"},
                    )
            upgrade("head", database_url=url)
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT review_cycle_id, definition FROM questionnaire")).all()
            assert len(rows) == 2
            for _cycle_id, definition in rows:
                stored = json.loads(definition) if isinstance(definition, str) else definition
                assert stored == _default()
        finally:
            engine.dispose()


def test_export_then_import_gives_back_the_same_definition(cli_db: str, tmp_path: Path) -> None:  # noqa: F811
    gcm("db", "upgrade")
    gcm("seed")
    created = gcm(
        "cycle", "create", "--name", "2028–2029 review", "--opens", "2028-01-01", "--deadline", "2028-06-30",
        "--closes", "2028-12-31",
    )  # fmt: skip
    assert "Created cycle" in created and "2028–2029 review" in gcm("cycle", "list")
    file = tmp_path / "q.json"
    gcm("questionnaire", "export", "2028–2029 review", str(file))
    exported = json.loads(file.read_text(encoding="utf-8"))
    assert exported == _default()
    exported["objective_questions"].append({"key": "remarks", "type": "short_text", "label": {"en": "Remarks"}})
    file.write_text(json.dumps(exported), encoding="utf-8")
    assert "replaced" in gcm("questionnaire", "import", "2028–2029 review", str(file))
    again = tmp_path / "again.json"
    gcm("questionnaire", "export", "2028–2029 review", str(again))
    assert json.loads(again.read_text(encoding="utf-8")) == _normal(exported)
    bad = tmp_path / "bad.json"
    exported["objective_questions"][0]["type"] = "essay"
    bad.write_text(json.dumps(exported), encoding="utf-8")
    assert "objective_questions[0].type" in gcm("questionnaire", "import", "2028–2029 review", str(bad), ok=False)
    gcm("questionnaire", "export", "2028–2029 review", str(again))
    assert json.loads(again.read_text(encoding="utf-8"))["objective_questions"][0]["type"] == "single_choice"
    assert "opened" in gcm("cycle", "open", "2028–2029 review").lower()
    assert "closed" in gcm("cycle", "close", "2028–2029 review").lower()
    assert "No review cycle" in gcm("questionnaire", "export", "nonesuch", str(file), ok=False)


def test_the_api_lists_cycles_and_gives_each_questionnaire(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    headers = auth(session, Role.focal_point, "PHL")
    listed = client.get("/api/v1/cycles", headers=headers)
    assert listed.status_code == 200 and cycle.name in [c["name"] for c in listed.json()]
    definition = client.get(f"/api/v1/cycles/{cycle.id}/questionnaire", headers=headers)
    assert definition.status_code == 200 and definition.json() == _default()
    assert client.get("/api/v1/cycles/999999/questionnaire", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cycles/{cycle.id}/questionnaire").status_code == 401
