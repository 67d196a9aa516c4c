"""The review state machine: every allowed and refused transition, partial reopening, concurrent decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.errors import Conflict, Forbidden, ValidationFailed
from app.review import service
from app.review.models import DecisionKind, ReviewDecision
from app.submissions import service as submissions
from app.submissions.models import Submission, SubmissionStatus
from tests.factories import complete_submission, edit_part, make_submission, make_user, post_form, sign_in


@pytest.fixture
def focal_point(session: Session) -> User:
    return make_user(session, role=Role.focal_point, country="PHL")


@pytest.fixture
def reviewer(session: Session) -> User:
    return make_user(session, role=Role.secretariat)


@pytest.fixture
def submitted(session: Session, focal_point: User) -> Submission:
    submission = make_submission(session, focal_point=focal_point)
    complete_submission(session, submission)
    submissions.submit(session, user=focal_point, submission=submission)
    return submission


def test_request_changes_needs_a_reason_and_parts(session: Session, reviewer: User, submitted: Submission) -> None:
    with pytest.raises(ValidationFailed, match="reason"):
        service.request_changes(
            session, user=reviewer, submission=submitted, reason=" ", parts=["objective:1"], version=None
        )
    with pytest.raises(ValidationFailed, match="at least one part"):
        service.request_changes(session, user=reviewer, submission=submitted, reason="Why?", parts=[], version=None)
    assert submitted.status is SubmissionStatus.submitted


def test_request_changes_reopens_only_the_marked_parts(
    session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    service.request_changes(
        session,
        user=reviewer,
        submission=submitted,
        reason="Add figures.",
        parts=["objective:1", "objective:2"],
        version=submitted.version,
    )
    assert submitted.status is SubmissionStatus.changes_requested
    one, two, three = (next(r for r in submitted.objective_reports if r.objective.number == n) for n in (1, 2, 3))
    assert one.reopened and two.reopened and not three.reopened
    assert edit_part(session, focal_point, submitted, "objective:1", narrative="With figures.", progress_rating=4)
    with pytest.raises(Conflict, match="did not ask for changes"):
        edit_part(session, focal_point, submitted, "objective:3", narrative="With figures.")
    key = submitted.sections[0].key
    with pytest.raises(Conflict):
        edit_part(session, focal_point, submitted, f"section:{key}", **{key: "x"})
    submissions.submit(session, user=focal_point, submission=submitted)
    assert submitted.status is SubmissionStatus.submitted and not one.reopened


def test_approve_then_publish_then_reopen(session: Session, reviewer: User, submitted: Submission) -> None:
    service.approve(session, user=reviewer, submission=submitted, version=None)
    assert submitted.status is SubmissionStatus.approved and submitted.approved_at
    service.publish(session, user=reviewer, submission=submitted, version=None)
    assert submitted.status is SubmissionStatus.published and submitted.published_at
    with pytest.raises(ValidationFailed):
        service.reopen(session, user=reviewer, submission=submitted, reason="", parts=[], version=None)
    service.reopen(session, user=reviewer, submission=submitted, reason="A correction.", parts=[], version=None)
    assert submitted.status is SubmissionStatus.changes_requested
    assert all(r.reopened for r in submitted.objective_reports) and submitted.published_at is None
    kinds = session.scalars(
        select(ReviewDecision.kind).where(ReviewDecision.submission_id == submitted.id).order_by(ReviewDecision.id)
    ).all()
    assert kinds == [DecisionKind.submit, DecisionKind.approve, DecisionKind.publish, DecisionKind.reopen]


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        (SubmissionStatus.draft, "approve"),
        (SubmissionStatus.draft, "publish"),
        (SubmissionStatus.submitted, "publish"),
        (SubmissionStatus.submitted, "reopen"),
        (SubmissionStatus.changes_requested, "approve"),
        (SubmissionStatus.approved, "approve"),
        (SubmissionStatus.approved, "request_changes"),
        (SubmissionStatus.published, "publish"),
        (SubmissionStatus.published, "approve"),
    ],
)
def test_impossible_transitions_are_refused_and_change_nothing(
    session: Session, reviewer: User, focal_point: User, status: SubmissionStatus, decision: str
) -> None:
    submission = make_submission(session, focal_point=focal_point)
    submission.status = status
    session.flush()
    version = submission.version
    kwargs = {"reason": "r", "parts": ["objective:1"]} if decision in ("request_changes", "reopen") else {}
    with pytest.raises(Conflict):
        getattr(service, decision)(session, user=reviewer, submission=submission, version=None, **kwargs)
    assert submission.status is status and submission.version == version


def test_focal_points_and_preparers_cannot_decide(session: Session, submitted: Submission, focal_point: User) -> None:
    preparer = make_user(session, role=Role.preparer)
    for user in (focal_point, preparer):
        with pytest.raises(Forbidden):
            service.approve(session, user=user, submission=submitted, version=None)


def test_second_reviewer_deciding_at_once_is_told(session: Session, reviewer: User, submitted: Submission) -> None:
    loaded = submitted.version
    # The other reviewer's decision lands first (it moves the version on). Each decision takes the review's lock
    # and reads its state afresh, so this one sees that and is told (tests/review/test_races.py races for real).
    session.execute(text("UPDATE submission SET version = version + 1 WHERE id = :id"), {"id": submitted.id})
    with pytest.raises(Conflict, match="Someone else has acted"):
        service.approve(session, user=reviewer, submission=submitted, version=loaded)
    session.refresh(submitted)
    assert submitted.status is SubmissionStatus.submitted  # nothing stale left to write
    assert session.scalar(select(ReviewDecision.id).where(ReviewDecision.kind == DecisionKind.approve)) is None


def test_reviewer_requests_changes_over_http_and_the_focal_point_sees_the_reason(
    app, client: TestClient, session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    sign_in(client, reviewer)
    url = f"/review/submissions/{submitted.id}/request-changes"
    refused = post_form(client, url, {"reason": "", "parts": ["objective:1"], "version": submitted.version})
    assert refused.status_code == 422 and "Give the reason" in refused.text
    assert 'value="objective:1" checked' in refused.text
    ok = post_form(
        client,
        url,
        {"reason": "Please add **figures**.", "parts": ["objective:1"], "version": submitted.version},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    again = post_form(client, f"/review/submissions/{submitted.id}/approve", {"version": submitted.version})
    assert again.status_code == 409
    fp = TestClient(app, base_url="https://127.0.0.1")
    sign_in(fp, focal_point)
    page = fp.get(f"/submissions/{submitted.id}")
    assert "The secretariat asked for changes" in page.text and "<strong>figures</strong>" in page.text
    assert "reopened" in page.text
    assert "<textarea" in fp.get(f"/submissions/{submitted.id}/objectives/1").text
    assert "<textarea" not in fp.get(f"/submissions/{submitted.id}/objectives/2").text
