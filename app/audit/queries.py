from __future__ import annotations

from datetime import datetime

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


def list_events(
    session: Session,
    *,
    user_id: int | None = None,
    by_system: bool = False,
    entity_type: str | None = None,
    entity_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[tuple[AuditEvent, User | None]]:
    """The audit log, newest first (by id: the order events were written), with who made each change: only the
    user's (``user_id``) or the system's (``by_system``), of one kind of record and one record, from ``since`` and
    before ``until``, and older than the event ``before_id`` (the next page: keyset, so a page costs the same
    however deep)."""
    stmt = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.user_id)
    if by_system:
        stmt = stmt.where(AuditEvent.user_id.is_(None))
    elif user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if entity_type is not None:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit)
    return [(event, user) for event, user in session.execute(stmt)]


def list_entity_types(session: Session) -> list[str]:
    """Every kind of record the audit log has events of (table names, and summaries such as ``import:...``)."""
    return list(session.scalars(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)))
