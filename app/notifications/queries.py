"""Reads of notifications and of who receives them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.notifications.models import Notification

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
