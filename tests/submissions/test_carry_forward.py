from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.submissions import queries
from app.submissions.models import SubmissionStatus
from tests.factories import complete_submission, make_cycle, make_submission, make_user, post_form, sign_in


def test_new_cycle_starts_from_the_last_approved_review(client: TestClient, session: Session) -> None:
    fp = make_user(session, role=Role.focal_point, country="PHL")
    old_cycle = make_cycle(session)
    old = make_submission(session, focal_point=fp, cycle=old_cycle)
    complete_submission(session, old)
    old.sections[0].body = "Consulted 40 civil society organisations."
    report = next(r for r in old.objective_reports if r.objective.number == 4)
    report.narrative = "Birth registration campaign."
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
    key = old.sections[0].key
    assert next(s for s in new.sections if s.key == key).body == "Consulted 40 civil society organisations."
    assert next(r for r in new.objective_reports if r.objective.number == 4).narrative == "Birth registration campaign."
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
