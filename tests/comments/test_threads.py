"""Comment threads: who opens, answers, resolves and sees them; approval waits for every thread to be resolved."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.comments import queries, service
from app.comments.models import CommentThread, ThreadStatus
from app.errors import Conflict, Forbidden, FormInvalid, NotFound
from app.notifications.models import Notification, NotificationKind
from app.review import service as review
from app.submissions import service as submissions
from app.submissions.models import Submission, SubmissionStatus
from tests.factories import complete_submission, make_submission, make_user, post_form, sign_in


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


def _open(session: Session, reviewer: User, submission: Submission, part: str = "objective:5") -> CommentThread:
    return service.open_thread(session, user=reviewer, submission=submission, part=part, body="Which year?")


def _notes(session: Session, user: User, kind: NotificationKind) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    return list(session.scalars(stmt))


def test_reviewer_opens_focal_point_answers_and_resolves(
    session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    thread = _open(session, reviewer, submitted)
    assert _notes(session, focal_point, NotificationKind.comment)[0].link.endswith("/objectives/5#threads")
    service.reply(session, user=focal_point, submission=submitted, thread=thread, body="2024, see the new table.")
    assert len(_notes(session, reviewer, NotificationKind.comment)) == 1
    service.resolve(session, user=focal_point, submission=submitted, thread=thread, version=thread.version)
    assert thread.status is ThreadStatus.resolved and thread.resolved_by_id == focal_point.id
    service.reopen(session, user=reviewer, submission=submitted, thread=thread, version=thread.version)
    assert thread.status is ThreadStatus.open and thread.resolved_at is None
    loaded = queries.get_thread(session, thread.id)
    assert loaded is not None and [c.body for c in loaded.comments] == ["Which year?", "2024, see the new table."]
    assert queries.threads_by_part(submitted, queries.list_threads(session, submitted.id)) == {"objective:5": [thread]}
    audited = session.scalars(
        select(AuditEvent.entity_type).where(AuditEvent.entity_type.in_(("comment", "comment_thread")))
    )
    assert {"comment", "comment_thread"} <= set(audited)


def test_body_is_required_and_limited(session: Session, reviewer: User, submitted: Submission) -> None:
    with pytest.raises(FormInvalid) as empty:
        service.open_thread(session, user=reviewer, submission=submitted, part="objective:5", body="  \n ")
    assert "body" in empty.value.errors
    with pytest.raises(FormInvalid) as long:
        service.open_thread(session, user=reviewer, submission=submitted, part="objective:5", body="x" * 5_001)
    assert "Shorten" in long.value.errors["body"]
    with pytest.raises(FormInvalid):
        service.open_thread(session, user=reviewer, submission=submitted, part="objective:99", body="Hello")
    assert queries.list_threads(session, submitted.id) == []


def test_only_reviewers_open_and_other_countries_find_nothing(
    session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    with pytest.raises(Forbidden):
        _open(session, focal_point, submitted)
    thread = _open(session, reviewer, submitted)
    other = make_user(session, role=Role.focal_point, country="MYS")
    preparer = make_user(session, role=Role.preparer)
    for outsider in (other, preparer):
        with pytest.raises(NotFound):
            service.reply(session, user=outsider, submission=submitted, thread=thread, body="Hi")


def test_stale_resolve_is_refused(session: Session, reviewer: User, focal_point: User, submitted: Submission) -> None:
    thread = _open(session, reviewer, submitted)
    stale = thread.version
    service.resolve(session, user=reviewer, submission=submitted, thread=thread, version=stale)
    service.reopen(session, user=reviewer, submission=submitted, thread=thread, version=thread.version)
    with pytest.raises(Conflict):
        service.resolve(session, user=focal_point, submission=submitted, thread=thread, version=stale)
    assert thread.status is ThreadStatus.open


def test_approve_is_refused_while_a_thread_is_open(session: Session, reviewer: User, submitted: Submission) -> None:
    first = _open(session, reviewer, submitted, "objective:5")
    _open(session, reviewer, submitted, "section:preparation")
    version = submitted.version
    with pytest.raises(
        Conflict, match=r"2 comment thread\(s\) are still open \(Objective 5, How the review was prepared\)"
    ):
        review.approve(session, user=reviewer, submission=submitted, version=version)
    session.refresh(submitted)
    assert submitted.status is SubmissionStatus.submitted and submitted.version == version
    for thread in queries.list_open_threads(session, submitted.id):
        service.resolve(session, user=reviewer, submission=submitted, thread=thread, version=None)
    assert first.status is ThreadStatus.resolved
    review.approve(session, user=reviewer, submission=submitted, version=version)
    assert submitted.status is SubmissionStatus.approved


# ---- pages -------------------------------------------------------------------------------------------------------


def test_threads_show_beside_the_part_for_the_country_only(
    client: TestClient, session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    _open(session, reviewer, submitted)
    sign_in(client, focal_point)
    page = client.get(f"/submissions/{submitted.id}/objectives/5")
    assert "Which year?" in page.text and "Your answer on Objective 5" in page.text
    assert "Which year?" not in client.get(f"/submissions/{submitted.id}/objectives/6").text
    assert "Open a comment thread" not in page.text  # focal points answer; reviewers open
    client.cookies.clear()
    sign_in(client, make_user(session, role=Role.focal_point, country="MYS"))
    assert client.get(f"/submissions/{submitted.id}/objectives/5").status_code == 404
    thread = queries.list_threads(session, submitted.id)[0]
    assert post_form(client, f"/threads/{thread.id}/comments", {"body": "Hi"}).status_code == 404


def test_preparers_never_see_threads(
    session: Session, client: TestClient, reviewer: User, submitted: Submission
) -> None:
    thread = _open(session, reviewer, submitted)
    service.resolve(session, user=reviewer, submission=submitted, thread=thread, version=None)
    review.approve(session, user=reviewer, submission=submitted, version=None)
    sign_in(client, make_user(session, role=Role.preparer))
    page = client.get(f"/submissions/{submitted.id}/objectives/5")
    assert page.status_code == 200 and "Which year?" not in page.text
    assert post_form(client, f"/threads/{thread.id}/reopen").status_code == 404


def test_reviewer_opens_a_thread_with_htmx_and_without_js(
    client: TestClient, session: Session, reviewer: User, submitted: Submission
) -> None:
    sign_in(client, reviewer)
    url = f"/submissions/{submitted.id}/threads"
    htmx = post_form(client, url, {"part": "objective:5", "body": "Figures?"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and 'id="threads-objective-5"' in htmx.text and "Figures?" in htmx.text
    assert "<html" not in htmx.text
    plain = post_form(
        client,
        url,
        {"part": "objective:6", "body": "Sources?", "next": f"/submissions/{submitted.id}"},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == f"/submissions/{submitted.id}"
    page = client.get(f"/submissions/{submitted.id}")
    assert "Figures?" in page.text and "Sources?" in page.text


def test_empty_comment_keeps_the_message_beside_the_field(
    client: TestClient, session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    thread = _open(session, reviewer, submitted)
    sign_in(client, focal_point)
    htmx = post_form(client, f"/threads/{thread.id}/comments", {"body": "   "}, headers={"HX-Request": "true"})
    assert htmx.status_code == 422
    assert f'id="reply-{thread.id}-error"' in htmx.text and 'aria-invalid="true"' in htmx.text
    too_long = "y" * 5_001
    plain = post_form(client, f"/threads/{thread.id}/comments", {"body": too_long})
    assert plain.status_code == 422 and "Shorten the comment" in plain.text and too_long in plain.text
    assert "<html" in plain.text


def test_resolve_through_the_page_and_approval_refusal_shown(
    client: TestClient, session: Session, reviewer: User, submitted: Submission
) -> None:
    thread = _open(session, reviewer, submitted)
    sign_in(client, reviewer)
    refused = post_form(client, f"/review/submissions/{submitted.id}/approve", {"version": submitted.version})
    assert refused.status_code == 409 and "1 comment thread(s) are still open (Objective 5)" in refused.text
    resolved = post_form(
        client, f"/threads/{thread.id}/resolve", {"version": thread.version}, headers={"HX-Request": "true"}
    )
    assert resolved.status_code == 200 and "resolved" in resolved.text
    session.refresh(submitted)
    approved = post_form(client, f"/review/submissions/{submitted.id}/approve", {"version": submitted.version})
    assert approved.status_code == 200 and "The submission is approved." in approved.text
