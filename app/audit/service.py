"""Records an audit event for every insert, update and delete of an audited record, in the same transaction.

The acting user is taken from ``session.info["user_id"]`` (set by the request's authentication, or by the CLI);
without one the change is recorded as made by the system. Bulk loads that record their own summary event
(demo data, imports) set ``session.info["audit_disabled"]``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import Session

from app.audit.models import AuditAction, AuditEvent
from app.db import utcnow

# Columns never copied into the audit trail.
_SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})
_SKIPPED_COLUMNS = frozenset({"created_at", "updated_at"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"({len(value):,} bytes)"  # a stored document: its size is recorded, never its content
    return value


def _collections(obj: Any, *, previous: bool) -> dict[str, Any]:
    """Loaded collections named in ``__audit_collections__``, as sorted lists of their natural keys."""
    state = inspect(obj)
    data: dict[str, Any] = {}
    for name, key in getattr(type(obj), "__audit_collections__", {}).items():
        if name in state.unloaded:
            continue  # never loaded in this session: not changed here, and loading it would raise
        hist = state.attrs[name].history
        items = [*hist.unchanged, *hist.deleted] if previous else getattr(obj, name)
        data[name] = sorted(getattr(item, key) for item in items)
    return data


def _snapshot(obj: Any, *, previous: bool) -> dict[str, Any]:
    state = inspect(obj)
    data: dict[str, Any] = _collections(obj, previous=previous)
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIPPED_COLUMNS:
            continue
        if key in _SECRET_COLUMNS:
            data[key] = "(set)" if getattr(obj, key) else None
            continue
        hist = state.attrs[key].history
        value = hist.deleted[0] if previous and hist.deleted else getattr(obj, key)
        data[key] = _jsonable(value)
    return data


def _entity_id(obj: Any) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(v) for v in key if v is not None)


def _is_audited(obj: Any) -> bool:
    return bool(getattr(type(obj), "__audited__", True)) and not isinstance(obj, AuditEvent)


def _changed(obj: Any) -> bool:
    state = inspect(obj)
    keys = [a.key for a in state.mapper.column_attrs if a.key not in _SKIPPED_COLUMNS | {"version"}]
    keys += [k for k in getattr(type(obj), "__audit_collections__", {}) if k not in state.unloaded]
    return any(state.attrs[key].history.has_changes() for key in keys)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _ctx: Any, _instances: Any) -> None:
    if session.info.get("audit_disabled"):
        return
    # A fresh list at every flush: what a failed flush collected (its objects were never written) is forgotten.
    pending = session.info["_audit_pending"] = []
    for obj in session.dirty:
        if _is_audited(obj) and session.is_modified(obj) and _changed(obj):
            pending.append((AuditAction.update, obj, _snapshot(obj, previous=True)))
    for obj in session.deleted:
        if _is_audited(obj):
            pending.append((AuditAction.delete, obj, _snapshot(obj, previous=True)))
    for obj in session.new:
        if _is_audited(obj):
            pending.append((AuditAction.create, obj, None))


@event.listens_for(Session, "after_flush")
def _write(session: Session, _ctx: Any) -> None:
    pending = session.info.pop("_audit_pending", [])
    if not pending:
        return
    user_id = session.info.get("user_id")
    now = utcnow()
    rows = []
    for action, obj, before in pending:
        after = None if action is AuditAction.delete else _snapshot(obj, previous=False)
        rows.append(
            {
                "user_id": user_id,
                "action": action.value,
                "occurred_at": now,
                "entity_type": inspect(obj).mapper.local_table.name,
                "entity_id": _entity_id(obj) or str((before or {}).get("id", "")),
                "before": before,
                "after": after,
            }
        )
    session.execute(cast(Table, AuditEvent.__table__).insert(), rows)  # a declarative class's __table__ is a Table
