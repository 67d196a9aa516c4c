"""The audit log viewer (administrators only): who changed what, when, with the values before and after.

The raw log is for administrators alone: it holds every State's history, which ``app/visibility.py`` keeps between
the State and the secretariat, and the accounts' changes. Filters: the user (or the system), the kind of record
(its table), the record's id, a date range (UTC days). Newest first, 50 events a page, keyset-paginated on the
event's id (``?before=<id>``), so a deep page costs what the first does. Password and token hashes are never in
the log (``app/audit/service.py`` records "(set)" for them) nor shown (``app/audit/diff.HIDDEN_FIELDS``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from app.audit import queries
from app.audit.diff import FieldChange, changes
from app.audit.models import AuditEvent
from app.auth import queries as auth_queries
from app.auth.dependencies import AdminUser
from app.auth.models import User
from app.db import SessionDep
from app.i18n import _
from app.web.templating import render

router = APIRouter(prefix="/admin/audit")

PAGE_SIZE = 50
VALUE_MAX = 300  # characters of a value that is not a text (a list, a JSON document) shown before "…"
SYSTEM = "system"  # the user filter's value for changes made by the system (seed, CLI, demo)
ENTITY_ID_MAX = 50  # as the column


@dataclass
class Filters:
    """The query string as typed (kept in the form), what it selects, and what is wrong with it."""

    user: str = ""
    entity_type: str = ""
    entity_id: str = ""
    date_from: str = ""
    date_to: str = ""
    before: str = ""
    user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def query(self, **changes: str) -> str:
        kept = {
            "user": self.user,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }
        return urlencode({k: v for k, v in {**kept, **changes}.items() if v})


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _parse(filters: Filters, users: list[User], entity_types: list[str]) -> Filters:
    errors = filters.errors
    user = filters.user.strip()
    if user and user != SYSTEM:
        chosen = next((u for u in users if str(u.id) == user), None)
        if chosen is None:
            errors["user"] = _("Choose a user from the list, or the system.")
        else:
            filters.user_id = chosen.id
    if filters.entity_type and filters.entity_type not in entity_types:
        errors["entity_type"] = _("Choose a kind of record from the list.")
    entity_id = filters.entity_id.strip()
    if entity_id and not filters.entity_type:
        errors["entity_id"] = _("Choose the kind of record too: each kind numbers its records on its own.")
    elif len(entity_id) > ENTITY_ID_MAX:
        errors["entity_id"] = _("A record's id has at most %(n)s characters.") % {"n": ENTITY_ID_MAX}
    for name in ("date_from", "date_to"):
        value = getattr(filters, name).strip()
        if value and _day(value) is None:
            errors[name] = _("Enter a date as YYYY-MM-DD, for example 2026-03-31.")
    since, until = _day(filters.date_from), _day(filters.date_to)
    if since and until and until < since:
        errors["date_to"] = _("The end date must be on or after the start date.")
    filters.since = datetime.combine(since, datetime.min.time(), UTC) if since else None
    filters.until = datetime.combine(until + timedelta(days=1), datetime.min.time(), UTC) if until else None
    if filters.before:
        if filters.before.isdigit() and len(filters.before) <= 12:
            filters.before_id = int(filters.before)
        else:
            errors["before"] = _("This page of the log does not exist. Start again from the newest events.")
    return filters


def readable(value: Any) -> str:
    """A recorded value as a person reads it: "—" for nothing, a list joined, a document as short JSON."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= VALUE_MAX or isinstance(value, str) else text[: VALUE_MAX - 1] + "…"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    diff: Markup | None  # a text changed: the words removed and added


def _change(change: FieldChange) -> Change:
    both_text = all(isinstance(v, str) or v is None for v in (change.before, change.after))
    diff = change.diff if both_text and change.before and change.after else None
    return Change(change.field, readable(change.before), readable(change.after), diff)


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    user: User | None
    changes: list[Change]
    record_url: str  # the log filtered to this record


@router.get("", name="admin:audit_log")
def audit_log(
    request: Request,
    session: SessionDep,
    _admin: AdminUser,
    user: str = "",
    entity_type: str = "",
    entity_id: str = "",
    date_from: str = "",
    date_to: str = "",
    before: str = "",
) -> Response:
    users = auth_queries.list_users(session)
    entity_types = queries.list_entity_types(session)
    filters = _parse(Filters(user, entity_type, entity_id, date_from, date_to, before), users, entity_types)
    base = str(request.app.url_path_for("admin:audit_log"))
    entries: list[Entry] = []
    more = False
    if not filters.errors:
        found = queries.list_events(
            session,
            user_id=filters.user_id,
            by_system=filters.user.strip() == SYSTEM,
            entity_type=filters.entity_type or None,
            entity_id=filters.entity_id.strip() or None,
            since=filters.since,
            until=filters.until,
            before_id=filters.before_id,
            limit=PAGE_SIZE + 1,
        )
        more = len(found) > PAGE_SIZE
        entries = [
            Entry(
                event,
                who,
                [_change(c) for c in changes(event)],
                f"{base}?{urlencode({'entity_type': event.entity_type, 'entity_id': event.entity_id})}",
            )
            for event, who in found[:PAGE_SIZE]
        ]
    context = {
        "filters": filters,
        "errors": filters.errors,
        "entries": entries,
        "user_options": [
            ("", _("Anyone")),
            (SYSTEM, _("The system (seed, command line, demo data)")),
            *((str(u.id), f"{u.name} ({u.email})") for u in sorted(users, key=lambda u: (u.name.lower(), u.id))),
        ],
        "entity_type_options": [("", _("Every kind of record")), *((t, t) for t in entity_types)],
        "older_url": f"{base}?{filters.query(before=str(entries[-1].event.id))}" if more and entries else None,
        "newest_url": f"{base}?{filters.query()}" if filters.before_id is not None else None,
        "page_size": PAGE_SIZE,
    }
    return render(request, "admin/audit_log.html", context, status_code=422 if filters.errors else 200)
