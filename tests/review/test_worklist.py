"""The review queue as a worklist: assigning a review to a reviewer, the views (mine, resubmitted, approved not yet
published, overdue) and the counts that link to them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.cycles.models import ReviewCycle
from app.db import utcnow
from app.notifications.models import Notification, NotificationKind
from app.review.models import ReviewAssignment
from app.submissions.models import DecisionKind, ReviewDecision, Submission, SubmissionStatus
from tests.factories import make_cycle, make_user, post_form, sign_in
from tests.review.test_queue import add_submission, row_html, rows


@pytest.fixture
def cycle(session: Session) -> ReviewCycle:
    return make_cycle(session)


@pytest.fixture
def reviewer(client: TestClient, session: Session) -> User:
    user = make_user(session, role=Role.secretariat)
    user.name = "Rita Reviewer"
    session.flush()
    sign_in(client, user)
    return user


def assign(client: TestClient, submission: Submission, assignee: object, version: int = 0, back: str = "") -> object:
    return post_form(
        client,
        f"/review/assignments/{submission.id}",
        {"assignee": assignee, "version": version, "back": back},
        follow_redirects=False,
    )


def assignment_of(session: Session, submission: Submission) -> ReviewAssignment | None:
    session.expire_all()
    return session.scalars(select(ReviewAssignment).where(ReviewAssignment.submission_id == submission.id)).first()


def notes(session: Session, user: User) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)))


def view_link(html: str, view: str) -> str:
    match = re.search(rf'<a id="view-{view}" href="([^"]+)"([^>]*)>(.*?)</a>', html, re.S)
    assert match, view
    return match.group(0)


def view_count(html: str, view: str) -> int:
    return int(re.search(r'queue-views__count">(\d+)<', view_link(html, view)).group(1))  # type: ignore[union-attr]


def test_a_reviewer_assigns_a_review_to_themselves_and_finds_it_under_mine(
    client: TestClient, session: Session, cycle: ReviewCycle, reviewer: User
) -> None:
    submission = add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=2)
    add_submission(session, cycle, "THA", SubmissionStatus.submitted, days_ago=1)
    page = client.get("/review")
    assert f'<option value="{reviewer.id}">Rita Reviewer (you)</option>' in row_html(page.text, "PHL")
    assert view_count(page.text, "mine") == 0

    response = assign(client, submission, reviewer.id, back=f"cycle={cycle.id}&sort=country&next=https://evil.example")
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/review?") and "evil" not in location and "sort=country" in location
    record = assignment_of(session, submission)
    assert record is not None and record.assigned_to_id == reviewer.id and record.assigned_by_id == reviewer.id

    after = client.get(location)
    assert "The review of Philippines is assigned to Rita Reviewer." in after.text
    assert notes(session, reviewer) == []  # they took it themselves
    assert f'<option value="{reviewer.id}" selected>' in row_html(after.text, "PHL")
    assert view_count(after.text, "mine") == 1
    mine = client.get("/review", params={"view": "mine"})
    assert rows(mine.text) == [("PHL", "submitted")]
    assert 'aria-current="page"' in view_link(mine.text, "mine")
    assert 'aria-current="page"' not in view_link(mine.text, "all")

    # The audit trail records who assigned whom.
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "review_assignment")).all()
    assert [(e.action.value, e.user_id, (e.after or {}).get("assigned_to_id")) for e in events] == [
        ("create", reviewer.id, reviewer.id)
    ]


def test_another_reviewers_assignment_is_not_mine_and_can_be_taken_off(
    client: TestClient, session: Session, cycle: ReviewCycle, reviewer: User
) -> None:
    colleague = make_user(session, role=Role.secretariat)
    submission = add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=2)
    assert assign(client, submission, colleague.id).status_code == 303  # type: ignore[attr-defined]
    assert rows(client.get("/review", params={"view": "mine"}).text) == []
    # The colleague is told (and a reviewer who takes a review themselves is not).
    told = notes(session, colleague)
    assert [(n.kind, n.message, n.link) for n in told] == [
        (
            NotificationKind.assignment,
            "Rita Reviewer assigned you the review of Philippines.",
            f"/submissions/{submission.id}",
        )
    ]
    assert notes(session, reviewer) == []

    version = assignment_of(session, submission).version  # type: ignore[union-attr]
    response = assign(client, submission, "", version=version)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert assignment_of(session, submission).assigned_to_id is None  # type: ignore[union-attr]
    page = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "Nobody is assigned to the review of Philippines now." in page.text


@pytest.mark.parametrize("choice", ["999999", "not-a-number", "focal_point"])
def test_only_the_secretariat_and_administrators_can_be_assigned(
    client: TestClient, session: Session, cycle: ReviewCycle, reviewer: User, choice: str
) -> None:
    submission = add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=2)
    if choice == "focal_point":
        choice = str(make_user(session, role=Role.focal_point, country="THA").id)
    response = assign(client, submission, choice, back="sort=country")
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    beside = row_html(html, "PHL")
    assert "Choose a member of the secretariat or an administrator from the list, or nobody." in beside
    assert f'id="assignee-{submission.id}" name="assignee" aria-invalid="true"' in beside
    assert f'<option value="{choice}" selected>' in beside  # what was chosen is kept
    assert f'href="#assignee-{submission.id}"' in html  # the error summary links to the field
    assert assignment_of(session, submission) is None
    assert 'aria-sort="ascending"><a id="sort-country"' in html  # the queue is shown as it was sent from


def test_a_stale_assignment_form_is_refused_and_changes_nothing(
    client: TestClient, session: Session, cycle: ReviewCycle, reviewer: User
) -> None:
    colleague = make_user(session, role=Role.admin)
    submission = add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=2)
    assert assign(client, submission, colleague.id).status_code == 303  # type: ignore[attr-defined]
    response = assign(client, submission, reviewer.id, version=0)  # read before the colleague was assigned
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "Someone else changed who reviews this submission" in response.text  # type: ignore[attr-defined]
    assert assignment_of(session, submission).assigned_to_id == colleague.id  # type: ignore[union-attr]


def test_focal_points_cannot_assign(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    submission = add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=2)
    focal_point = make_user(session, role=Role.focal_point, country="PHL")
    sign_in(client, focal_point)
    assert assign(client, submission, focal_point.id).status_code == 403  # type: ignore[attr-defined]
    assert assignment_of(session, submission) is None


@pytest.mark.usefixtures("reviewer")
def test_resubmitted_view_lists_reviews_submitted_again_after_changes_were_asked_for(
    client: TestClient, session: Session, cycle: ReviewCycle
) -> None:
    again = add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=1)
    add_submission(session, cycle, "THA", SubmissionStatus.submitted, days_ago=3)  # first submission
    sent_back = add_submission(session, cycle, "FJI", SubmissionStatus.changes_requested)  # not yet resubmitted
    for submission in (again, sent_back):
        session.add(ReviewDecision(submission_id=submission.id, kind=DecisionKind.request_changes, reason="More."))
    session.flush()
    page = client.get("/review", params={"view": "resubmitted"})
    assert rows(page.text) == [("PHL", "submitted")]
    assert "resubmitted" in row_html(page.text, "PHL")
    assert view_count(page.text, "resubmitted") == 1
    assert "queue-resubmitted" not in row_html(client.get("/review").text, "THA")


@pytest.mark.usefixtures("reviewer")
def test_approved_view_lists_approved_reviews_not_yet_published(
    client: TestClient, session: Session, cycle: ReviewCycle
) -> None:
    add_submission(session, cycle, "PHL", SubmissionStatus.approved)
    add_submission(session, cycle, "THA", SubmissionStatus.published)
    page = client.get("/review", params={"view": "approved"})
    assert rows(page.text) == [("PHL", "approved")]
    assert view_count(page.text, "approved") == 1


@pytest.mark.usefixtures("reviewer")
def test_overdue_view_and_its_count_after_the_deadline(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session, days_to_deadline=30)
    add_submission(session, cycle, "PHL", SubmissionStatus.draft)
    add_submission(session, cycle, "THA", SubmissionStatus.submitted, days_ago=1)
    add_submission(session, cycle, "FJI", SubmissionStatus.changes_requested)
    before = client.get("/review", params={"view": "overdue"})
    assert rows(before.text) == [] and view_count(before.text, "overdue") == 0

    cycle.deadline = utcnow().date() - timedelta(days=2)
    session.flush()
    page = client.get("/review")
    assert view_count(page.text, "overdue") == 61  # every country but Thailand, which has submitted
    overdue = client.get(re.search(r'href="([^"]+)"', view_link(page.text, "overdue")).group(1).replace("&amp;", "&"))  # type: ignore[union-attr]
    listed = dict(rows(overdue.text))
    assert len(listed) == 61 and "THA" not in listed
    assert listed["PHL"] == "draft" and listed["FJI"] == "changes_requested" and listed["AFG"] == "not_started"
    assert 'aria-current="page"' in view_link(overdue.text, "overdue")


@pytest.mark.usefixtures("reviewer")
def test_the_status_counts_link_to_the_queue_filtered_by_that_status(
    client: TestClient, session: Session, cycle: ReviewCycle
) -> None:
    add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=1)
    page = client.get("/review")
    summary = page.text.split('id="queue-summary">')[1].split("</p>")[0]
    link = re.search(r'<a class="queue-summary__item" href="([^"]+)"[^>]*><strong>1</strong> submitted</a>', summary)
    assert link is not None
    filtered = client.get(link.group(1).replace("&amp;", "&"))
    assert rows(filtered.text) == [("PHL", "submitted")]
    assert re.search(r'aria-current="page"><strong>1</strong> submitted', filtered.text)


@pytest.mark.usefixtures("reviewer")
def test_an_unknown_view_is_a_clear_422(client: TestClient, cycle: ReviewCycle) -> None:
    page = client.get("/review", params={"view": "everything"})
    assert page.status_code == 422
    assert "Choose a view from the list." in page.text


@pytest.mark.usefixtures("reviewer")
def test_the_table_htmx_swaps_in_keeps_working_assignment_forms_and_the_view(
    client: TestClient, session: Session, cycle: ReviewCycle
) -> None:
    submission = add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=1)
    fragment = client.get("/review", params={"view": "resubmitted", "cycle": cycle.id}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert '<input type="hidden" name="view" value="resubmitted" form="queue-filters">' in fragment.text
    full = client.get("/review", headers={"HX-Request": "true"}).text
    form = row_html(full, "PHL")
    assert f'action="/review/assignments/{submission.id}"' in form
    assert re.search(r'name="csrf_token" value="[^"]+"', form)
