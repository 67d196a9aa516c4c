"""Reads of notifications and of who receives them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, and_, func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import Role, User
from app.catalog.models import Country
from app.notifications.models import Notification, OutboxMail, OutboxStatus
from app.submissions.models import Submission, SubmissionStatus

LIST_LIMIT = 200


def unread_count(session: Session, user_id: int) -> int:
    stmt = select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return int(session.scalar(stmt) or 0)


def list_notifications(session: Session, user_id: int, *, limit: int = LIST_LIMIT) -> list[Notification]:
    """The user's notifications, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def get_own(session: Session, user_id: int, notification_id: int) -> Notification | None:
    stmt = select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    return session.scalar(stmt)


def focal_points(session: Session, country_id: int) -> list[User]:
    stmt = select(User).where(User.role == Role.focal_point, User.country_id == country_id, User.is_active.is_(True))
    return list(session.scalars(stmt.order_by(User.id)))


def secretariat(session: Session) -> list[User]:
    stmt = select(User).where(User.role == Role.secretariat, User.is_active.is_(True))
    return list(session.scalars(stmt.order_by(User.id)))


def existing_keys(session: Session, user_ids: list[int], dedupe_key: str) -> set[int]:
    """Users who already have a notification with this key."""
    if not user_ids:
        return set()
    stmt = select(Notification.user_id).where(Notification.user_id.in_(user_ids), Notification.dedupe_key == dedupe_key)
    return set(session.scalars(stmt))


def any_mail_due(session: Session, now: datetime) -> bool:
    """Whether any pending mail is due (one read)."""
    due = and_(OutboxMail.status == OutboxStatus.pending, OutboxMail.next_attempt_at <= now)
    return session.scalar(select(OutboxMail.id).where(due).limit(1)) is not None


def due_mail(session: Session, now: datetime, *, limit: int, skip_locked: bool) -> list[Row[int, int, str, str, str]]:
    """The oldest ``limit`` pending mails that are due (id, attempts, recipient, subject, body), skipping rows
    another worker has locked when ``skip_locked`` (PostgreSQL)."""
    due = (
        select(OutboxMail.id, OutboxMail.attempts, OutboxMail.recipient, OutboxMail.subject, OutboxMail.body)
        .where(OutboxMail.status == OutboxStatus.pending, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    )
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    return list(session.execute(due).all())


# Reminders (app/notifications/reminders.py).


def cycle_submissions(session: Session, cycle_id: int) -> list[Submission]:
    return list(session.scalars(select(Submission).where(Submission.review_cycle_id == cycle_id)))


def countries_by_name(session: Session) -> list[Country]:
    return list(session.scalars(select(Country).order_by(Country.name)))


def submitted_in_cycle(session: Session, cycle_id: int) -> list[Submission]:
    """The cycle's submissions waiting for the secretariat, with their country, the longest waiting first."""
    stmt = (
        select(Submission)
        .where(Submission.review_cycle_id == cycle_id, Submission.status == SubmissionStatus.submitted)
        .options(joinedload(Submission.country))
        .order_by(Submission.submitted_at)
    )
    return list(session.scalars(stmt))
