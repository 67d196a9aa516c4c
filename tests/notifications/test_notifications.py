"""Notifications: who gets one for decisions, submissions and comments; the list, marking read, the badge."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.notifications.models import Notification, NotificationKind
from app.notifications.service import notify
from app.review import service as review
from app.submissions import service as submissions
from app.submissions.models import Submission
from tests.factories import complete_submission, make_submission, make_user, post_form, sign_in


@pytest.fixture
def focal_point(session: Session) -> User:
    return make_user(session, role=Role.focal_point, country="PHL")


@pytest.fixture
def reviewer(session: Session) -> User:
    return make_user(session, role=Role.secretariat)


@pytest.fixture
def submission(session: Session, focal_point: User) -> Submission:
    submission = make_submission(session, focal_point=focal_point)
    complete_submission(session, submission)
    return submission


def _messages(session: Session, user: User) -> list[tuple[str, str]]:
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return [(n.kind.value, n.message) for n in session.scalars(stmt)]


def test_submit_and_decisions_notify_the_other_side(
    session: Session, focal_point: User, reviewer: User, submission: Submission
) -> None:
    colleague = make_user(session, role=Role.focal_point, country="PHL")
    other_country = make_user(session, role=Role.focal_point, country="MYS")
    preparer = make_user(session, role=Role.preparer)
    submissions.submit(session, user=focal_point, submission=submission)
    assert _messages(session, reviewer) == [("submitted", "Philippines submitted its voluntary GCM review.")]
    review.request_changes(
        session, user=reviewer, submission=submission, reason="Add 2024 figures.", parts=["objective:1"], version=None
    )
    submissions.submit(session, user=focal_point, submission=submission)
    assert _messages(session, reviewer)[-1][1].startswith("Philippines resubmitted")
    review.approve(session, user=reviewer, submission=submission, version=None)
    review.publish(session, user=reviewer, submission=submission, version=None)
    review.reopen(session, user=reviewer, submission=submission, reason="A correction.", parts=[], version=None)
    for user in (focal_point, colleague):
        kinds = [kind for kind, _message in _messages(session, user)]
        assert kinds == ["decision"] * 4
    first = _messages(session, colleague)[0][1]
    assert "asked for changes" in first and "Add 2024 figures." in first
    assert _messages(session, other_country) == [] and _messages(session, preparer) == []
    assert [k for k, _m in _messages(session, focal_point)] == ["decision"] * 4  # not told of their own submission


def test_dedupe_key_sends_once_per_user(session: Session, reviewer: User) -> None:
    first = notify(session, [reviewer], NotificationKind.nudge, "Waiting.", dedupe_key="nudge:1:2026-11-28")
    again = notify(session, [reviewer], NotificationKind.nudge, "Waiting.", dedupe_key="nudge:1:2026-11-28")
    assert len(first) == 1 and again == []


def test_list_mark_read_and_badge(client: TestClient, session: Session, reviewer: User) -> None:
    one, two = (notify(session, [reviewer], NotificationKind.submitted, f"Message {n}", "/review")[0] for n in (1, 2))
    sign_in(client, reviewer)
    page = client.get("/notifications")
    assert "Message 1" in page.text and "Message 2" in page.text
    assert "data-unread-count>2<" in page.text
    response = post_form(client, f"/notifications/{one.id}/read", follow_redirects=False)
    assert response.status_code == 303
    session.refresh(one)
    assert one.read_at is not None
    assert "data-unread-count>1<" in client.get("/notifications").text
    htmx = post_form(client, "/notifications/read-all", headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "1 marked as read." in htmx.text and "<html" not in htmx.text
    session.refresh(two)
    assert two.read_at is not None
    assert "data-unread-count" not in client.get("/notifications").text


def test_someone_elses_notification_is_not_found(client: TestClient, session: Session, reviewer: User) -> None:
    note = notify(session, [reviewer], NotificationKind.submitted, "Private", "/review")[0]
    sign_in(client, make_user(session, role=Role.secretariat))
    assert post_form(client, f"/notifications/{note.id}/read").status_code == 404
    assert "Private" not in client.get("/notifications").text
    session.refresh(note)
    assert note.read_at is None
