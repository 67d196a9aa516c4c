""" "Changed since my last review": the reopened parts' text as the reviewer saw it, against the text now."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.review import service
from app.submissions import service as submissions
from app.submissions.models import Submission
from tests.factories import complete_submission, edit_part, make_submission, make_user, sign_in


@pytest.fixture
def focal_point(session: Session) -> User:
    return make_user(session, role=Role.focal_point, country="PHL")


@pytest.fixture
def reviewer(session: Session) -> User:
    return make_user(session, role=Role.secretariat)


@pytest.fixture
def sent_back(session: Session, focal_point: User, reviewer: User) -> Submission:
    submission = make_submission(session, focal_point=focal_point)
    complete_submission(session, submission)
    submissions.submit(session, user=focal_point, submission=submission)
    service.request_changes(
        session,
        user=reviewer,
        submission=submission,
        reason="Add figures.",
        parts=["objective:5", "section:preparation"],
        version=None,
    )
    return submission


def _edit(session: Session, focal_point: User, submission: Submission, number: int, narrative: str) -> None:
    edit_part(session, focal_point, submission, f"objective:{number}", narrative=narrative, progress_rating=4)


def test_diff_shows_each_changed_field_of_the_reopened_parts(
    session: Session, focal_point: User, sent_back: Submission
) -> None:
    _edit(session, focal_point, sent_back, 5, "Progress was made in 2024 with 3,000 visas.")
    submissions.submit(session, user=focal_point, submission=sent_back)
    changes = service.changes_since_review(session, sent_back)
    assert set(changes) == {"objective:5", "section:preparation"}
    assert changes["section:preparation"] == []  # reopened but left as it was
    fields = {c.field: c for c in changes["objective:5"]}
    assert set(fields) == {"narrative", "progress_rating"}
    diff = str(fields["narrative"].diff)
    assert '<ins aria-label="added">' in diff and "3,000" in diff and diff.startswith("Progress was ")


def test_diff_is_against_the_latest_request_for_changes(
    session: Session, focal_point: User, reviewer: User, sent_back: Submission
) -> None:
    _edit(session, focal_point, sent_back, 5, "First answer.")
    submissions.submit(session, user=focal_point, submission=sent_back)
    service.request_changes(
        session, user=reviewer, submission=sent_back, reason="Again.", parts=["objective:5"], version=None
    )
    _edit(session, focal_point, sent_back, 5, "First answer, improved.")
    submissions.submit(session, user=focal_point, submission=sent_back)
    narrative = next(
        c for c in service.changes_since_review(session, sent_back)["objective:5"] if c.field == "narrative"
    )
    assert narrative.before == "First answer." and narrative.after == "First answer, improved."


def test_review_page_shows_the_diff_to_reviewers_only(
    client: TestClient, session: Session, focal_point: User, reviewer: User, sent_back: Submission
) -> None:
    _edit(session, focal_point, sent_back, 5, "Progress was made with new figures.")
    submissions.submit(session, user=focal_point, submission=sent_back)
    sign_in(client, reviewer)
    page = client.get(f"/submissions/{sent_back.id}")
    assert "Changed since your last review" in page.text
    assert '<ins aria-label="added">' in page.text and "Not changed since your last review." in page.text
    client.cookies.clear()
    sign_in(client, focal_point)
    assert "Changed since your last review" not in client.get(f"/submissions/{sent_back.id}").text
