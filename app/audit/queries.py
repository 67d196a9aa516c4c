from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.models import User


def list_history(
    session: Session, *, entity_type: str, entity_id: int | str, limit: int = 200
) -> list[tuple[AuditEvent, User | None]]:
    """The audit events of one record, newest first, with the user who made each change."""
    stmt = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, user) for event, user in session.execute(stmt)]


def list_history_of(
    session: Session, *, entity_type: str, entity_ids: list[int], limit: int = 500
) -> list[tuple[AuditEvent, User | None]]:
    """The audit events of several records of one type (the answers of a part), newest first."""
    if not entity_ids:
        return []
    stmt = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_([str(i) for i in entity_ids]))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, user) for event, user in session.execute(stmt)]
