"""A database-wide data version, so each process can cache what the dashboards compute and never serve it stale.

The one-row table ``data_version`` (migration 9e5a4b126f05; not a model, so dumps and drift checks leave it out) holds
a counter. Every transaction that wrote to a table the dashboards read adds one to it just before it commits, in the
same transaction: a reader that sees version *n* sees every write counted in *n*. Several service instances share the
counter through the database, so each one's cache stays exact.

- Writes are noticed on the connection (``before_cursor_execute``), whatever issued them (the ORM, bulk statements,
  imports, restore): any statement that is not a read marks the connection, unless it only touches a table listed in
  ``IGNORED_TABLES`` (sessions, sign-in attempts, notifications, jobs, the mail outbox, import previews: written
  on page views or by the worker, never shown in dashboards).
- The counter is bumped in the connection's ``commit`` event; a rollback forgets the mark.
- ``current(session)`` is ``None`` while the session's own connection holds writes not yet committed: such a
  transaction must see its own writes, so it bypasses every cache.

``ResultCache`` (one per application, ``app.state.result_cache``) keeps computed results keyed by what they depend on
plus the version, with a bounded number of entries.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, event, select
from sqlalchemy.orm import Session

from app.i18n import get_locale

T = TypeVar("T")

data_version = Table(
    "data_version",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

DIRTY = "gcm_data_dirty"
IGNORED_TABLES = frozenset(
    {
        "data_version",
        "user_session",
        "login_attempt",
        "notification",
        "job",
        "alembic_version",
        "api_token",
        "mail_outbox",
        "pending_import",
    }
)
_READ = re.compile(r"\s*(SELECT|PRAGMA|SHOW|EXPLAIN|BEGIN|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|SET\s|RESET)\b", re.I)
_WRITE_TARGET = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)
BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"


def writes_data(statement: str) -> bool:
    """Whether a statement may change what the dashboards read (anything but a read or a write to an ignored table)."""
    if _READ.match(statement):
        return False
    target = _WRITE_TARGET.match(statement)
    return not (target and target.group(1).lower() in IGNORED_TABLES)


def install(engine: Engine) -> None:
    """Mark connections that wrote, and bump the version when they commit (see the module's docstring)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _mark(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not conn.info.get(DIRTY) and writes_data(statement):
            conn.info[DIRTY] = True

    @event.listens_for(engine, "commit")
    def _bump(conn: Connection) -> None:
        committed(conn)

    @event.listens_for(engine, "rollback")
    def _forget(conn: Connection) -> None:
        conn.info.pop(DIRTY, None)


def committed(conn: Connection) -> None:
    """Called as a transaction commits: count its writes (the test harness calls it where its savepoints commit)."""
    if conn.info.pop(DIRTY, None) and _has_table(conn):
        conn.exec_driver_sql(BUMP)


_TABLE_SEEN: set[str] = set()  # databases (by URL) known to have the table; a schema still being built is asked again


def _has_table(conn: Connection) -> bool:
    url = conn.engine.url.render_as_string(hide_password=True)
    if url not in _TABLE_SEEN and conn.dialect.has_table(conn, "data_version"):
        _TABLE_SEEN.add(url)
    return url in _TABLE_SEEN


def current(session: Session) -> int | None:
    """The committed data version, or None when this session's transaction has writes of its own (no caching)."""
    conn = session.connection()
    if conn.info.get(DIRTY):
        return None
    return conn.execute(select(data_version.c.n).where(data_version.c.id == 1)).scalar_one_or_none()


class ResultCache:
    """Computed results by key and data version; the least recently used entries leave first."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        version = current(session)
        if version is None:
            return compute()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
        value = compute()
        with self._lock:
            self.misses += 1
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


def cached(cache: ResultCache | None, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``cache.get(...)``, or just ``compute()`` where no cache is given (the CLI, exports, the API). Results are
    kept per language: they may hold labels (a questionnaire's, a rating scale's) in the reader's language."""
    return compute() if cache is None else cache.get(session, (get_locale(), key), compute)
