"""``gcm dump`` / ``gcm restore``: every table of ``Base.metadata`` in one portable gzip JSON-lines file.

Line 1 is a header naming the format and the Alembic revision; then, per table (in dependency order), a line
``{"table": name, "columns": [...]}`` followed by one JSON array per row, ordered by primary key. Values are typed
portably: datetimes and dates ISO 8601, bytes base64, decimals as strings. New tables are included automatically.
A restore needs an empty database at the same revision; PostgreSQL sequences are reset afterwards.

Every table is read from one snapshot, so the file is consistent however busy the service is (a row never refers to
one committed after its table's turn): on PostgreSQL one ``REPEATABLE READ, READ ONLY`` transaction; on SQLite one
deferred (read) transaction, which WAL keeps on its snapshot while writers go on committing (never ``BEGIN
IMMEDIATE``, which would make every save wait for the whole dump).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Date, DateTime, LargeBinary, Numeric, Table, func, insert, select, text
from sqlalchemy.sql.type_api import TypeDecorator

from app import models  # noqa: F401  (every table)
from app.db import READ_ONLY, SQLITE_BEGIN_OPTION, Base
from app.errors import AppError

FORMAT = "gcm-dump"
FORMAT_VERSION = 1
BATCH = 2000


class RestoreRefused(AppError):
    status_code = 409


def revision(connection: Connection) -> str | None:
    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) or None


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _base_type(column: Any) -> Any:
    kind = column.type
    return kind.impl if isinstance(kind, TypeDecorator) else kind


def _decoder(column: Any) -> Any:
    kind = _base_type(column)
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat
    if isinstance(kind, Date):
        return dt.date.fromisoformat
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    if isinstance(kind, Numeric) and kind.asdecimal:
        return Decimal
    return None


def snapshot_options(connection: Connection) -> dict[str, Any]:
    """Execution options that make the connection's next transaction one read-only snapshot of the database."""
    if connection.dialect.name == "postgresql":
        return {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return dict(READ_ONLY)  # SQLite: BEGIN DEFERRED (app/db.py); the first read fixes the WAL snapshot


def dump(connection: Connection, path: Path, *, after_table: Callable[[str], None] | None = None) -> dict[str, int]:
    """Write every table to ``path`` from one snapshot; returns the row count per table.

    ``connection`` must not be in a transaction: the dump begins its own (and ends it). ``after_table(name)`` is
    called once each table is written (tests use it to commit from elsewhere in the middle of a dump).
    """
    if connection.in_transaction():
        raise ValueError("dump() needs a connection outside a transaction: it reads everything in one of its own")
    counts: dict[str, int] = {}
    postgresql = connection.dialect.name == "postgresql"
    isolation = connection.get_isolation_level() if postgresql else None
    snapshot = connection.execution_options(**snapshot_options(connection))
    try:
        _dump_tables(snapshot, path, counts, after_table)
    finally:  # the caller's connection goes on as it was (options stay on a Connection until changed)
        if postgresql:
            connection.execution_options(isolation_level=isolation, postgresql_readonly=False)
        else:
            connection.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    return counts


def _dump_tables(
    snapshot: Connection, path: Path, counts: dict[str, int], after_table: Callable[[str], None] | None
) -> None:
    with snapshot.begin(), gzip.open(path, "wt", encoding="utf-8") as out:
        header = {"format": FORMAT, "version": FORMAT_VERSION, "revision": revision(snapshot),
                  "dialect": snapshot.dialect.name}  # fmt: skip
        out.write(json.dumps(header) + "\n")
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
            order = list(table.primary_key.columns) or list(table.columns)
            n = 0
            for row in snapshot.execution_options(yield_per=BATCH).execute(select(table).order_by(*order)):
                out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
                n += 1
            counts[table.name] = n
            if after_table is not None:
                after_table(table.name)


def restore(connection: Connection, path: Path) -> dict[str, int]:
    """Load a dump into an empty database at the same revision (in the caller's transaction)."""
    with gzip.open(path, "rt", encoding="utf-8") as source:
        try:
            header = json.loads(source.readline())
        except ValueError:
            raise RestoreRefused("This is not a gcm dump file.") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise RestoreRefused("This is not a gcm dump file.")
        current = revision(connection)
        if header.get("revision") != current:
            raise RestoreRefused(
                f"The dump is of schema revision {header.get('revision')}, the database is at {current}: "
                "run `gcm db upgrade` to the same revision first (or restore with the matching version)."
            )
        table: Table | None
        for table in Base.metadata.sorted_tables:
            if connection.scalar(select(func.count()).select_from(table)):
                raise RestoreRefused(f"The database is not empty (table {table.name} has rows): restore needs an "
                                     "empty database, created with `gcm db upgrade` only.")  # fmt: skip
        tables = Base.metadata.tables
        counts: dict[str, int] = {}
        table = None
        names: list[str] = []
        decoders: list[Any] = []
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            if batch and table is not None:
                connection.execute(insert(table), batch)
                batch.clear()

        for line in source:
            item = json.loads(line)
            if isinstance(item, dict):
                flush()
                table = tables.get(item["table"])
                if table is None:
                    raise RestoreRefused(f"The dump has a table this schema lacks: {item['table']}.")
                names = item["columns"]
                decoders = [_decoder(table.c[name]) for name in names]
                counts[table.name] = 0
                continue
            row = {
                n: (d(v) if d is not None and v is not None else v)
                for n, d, v in zip(names, decoders, item, strict=True)
            }
            batch.append(row)
            counts[table.name] += 1  # type: ignore[union-attr,attr-defined]  # a row line always follows its table's line
            if len(batch) >= BATCH:
                flush()
        flush()
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection)
    return counts


def _reset_sequences(connection: Connection) -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and _is_integer(column)):
                sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                             {"t": table.name, "c": column.name})  # fmt: skip
                if sequence:  # names come from our own metadata, not from input
                    maximum = f'(SELECT max("{column.name}") FROM "{table.name}")'  # noqa: S608
                    statement = f"SELECT setval(:s, coalesce({maximum}, 1), {maximum} IS NOT NULL)"
                    connection.execute(text(statement), {"s": sequence})


def _is_integer(column: Any) -> bool:
    try:
        return column.type.python_type is int and len(column.table.primary_key.columns) == 1
    except NotImplementedError:
        return False
