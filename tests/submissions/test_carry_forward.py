from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.submissions import queries, service
from app.submissions.models import SubmissionStatus
from tests.factories import (
    complete_submission,
    make_cycle,
    make_submission,
    make_user,
    post_form,
    set_answers,
    sign_in,
)


def test_new_cycle_starts_from_the_last_approved_review(client: TestClient, session: Session) -> None:
    fp = make_user(session, role=Role.focal_point, country="PHL")
    old_cycle = make_cycle(session)
    old = make_submission(session, focal_point=fp, cycle=old_cycle)
    complete_submission(session, old)
    key = old.sections[0].key
    set_answers(session, old, f"section:{key}", {key: "Consulted 40 civil society organisations."})
    set_answers(session, old, "objective:4", {"narrative": "Birth registration campaign."})
    old.status = SubmissionStatus.published
    old_cycle.status = CycleStatus.closed
    session.flush()
    new_cycle = make_cycle(session)
    sign_in(client, fp)
    home = client.get("/my")
    assert f"Start from our last approved review ({old_cycle.name})" in home.text
    response = post_form(client, "/my/submissions", {"carry_forward": "true"}, follow_redirects=False)
    assert response.status_code == 303
    found = queries.get_country_submission(session, country_id=fp.country_id, cycle_id=new_cycle.id)
    new = queries.get_submission(session, found.id)
    assert new.status is SubmissionStatus.draft and new.carried_forward_from_id == old.id
    assert service.part_values(new, f"section:{key}")[key] == "Consulted 40 civil society organisations."
    assert service.part_values(new, "objective:4")["narrative"] == "Birth registration campaign."
    assert next(r for r in new.objective_reports if r.objective.number == 4).rating == 3  # derived again
    page = client.get(f"/submissions/{new.id}")
    assert "carried forward from an earlier cycle" in page.text


def test_carry_forward_without_an_approved_review_is_refused(client: TestClient, session: Session) -> None:
    fp = make_user(session, role=Role.focal_point, country="THA")
    draft_cycle = make_cycle(session)
    make_submission(session, focal_point=fp, cycle=draft_cycle)  # a draft, never approved
    draft_cycle.status = CycleStatus.closed
    make_cycle(session)
    session.flush()
    sign_in(client, fp)
    assert "Start from our last approved review" not in client.get("/my").text
    assert post_form(client, "/my/submissions", {"carry_forward": "true"}).status_code == 409
    assert "Start the review" in client.get("/my").text  # nothing was created


def test_carry_forward_between_two_questionnaires_that_differ(client: TestClient, session: Session) -> None:
    """Answers are copied by part and question key where the new questionnaire asks the same type; the others are
    named on the new draft's page."""
    from app.questionnaires import service as questionnaires

    fp = make_user(session, role=Role.focal_point, country="VNM")
    old_cycle = make_cycle(session, status=CycleStatus.planned)
    covid = {"key": "covid", "type": "yes_no", "label": {"en": "Did COVID-19 affect implementation?"}}
    choices = [{"value": "national", "label": {"en": "National"}}, {"value": "local", "label": {"en": "Local"}}]
    level = {"key": "level", "type": "single_choice", "label": {"en": "Level of action"}, "choices": choices}
    questionnaires.add_question(session, cycle=old_cycle, part="section:preparation", question=covid, version=None)
    questionnaires.add_question(session, cycle=old_cycle, part="objective", question=level, version=None)
    old_cycle.status = CycleStatus.open
    old = make_submission(session, focal_point=fp, cycle=old_cycle)
    complete_submission(session, old)
    set_answers(session, old, "section:preparation", {"covid": True, "preparation": "Inter-ministerial committee."})
    set_answers(session, old, "objective:4", {"narrative": "Birth registration campaign.", "level": "local"})
    old.status = SubmissionStatus.approved
    old_cycle.status = CycleStatus.closed
    session.flush()

    new_cycle = make_cycle(session, status=CycleStatus.planned)
    questionnaires.start_for(session, new_cycle)  # a copy of the old cycle's questionnaire...
    data = questionnaires.definition_for(session, new_cycle).as_json()
    assert "level" in [q["key"] for q in data["objective_questions"]]
    data["objective_questions"] = [q for q in data["objective_questions"] if q["key"] != "level"]  # ...without level
    data["sections"][0]["questions"][1] = {"key": "covid", "type": "long_text", "label": {"en": "COVID-19's impact"}}
    questionnaires.replace_definition(session, cycle=new_cycle, data=data)
    new_cycle.status = CycleStatus.open
    session.flush()

    sign_in(client, fp)
    response = post_form(client, "/my/submissions", {"carry_forward": "true"}, follow_redirects=False)
    assert response.status_code == 303
    found = queries.get_country_submission(session, country_id=fp.country_id, cycle_id=new_cycle.id)
    new = queries.get_submission(session, found.id)
    preparation = service.part_values(new, "section:preparation")
    assert preparation["preparation"] == "Inter-ministerial committee." and "covid" not in preparation
    fourth = service.part_values(new, "objective:4")
    assert fourth["narrative"] == "Birth registration campaign." and "level" not in fourth
    page = client.get(f"/submissions/{new.id}")
    assert "Answers not carried forward" in page.text
    assert "Did COVID-19 affect implementation?" in page.text and "Objective 4: Level of action" in page.text
