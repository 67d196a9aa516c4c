"""Database plumbing: the declarative base, engine factory and the per-request session."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, func
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from app import data_version
from app.config import get_settings

# Every constraint gets a predictable name, so migrations (and downgrades) can address it on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Execution option read by SQLite connections: "DEFERRED" for read-only work, otherwise "IMMEDIATE".
SQLITE_BEGIN_OPTION = "sqlite_begin"
READ_ONLY = {SQLITE_BEGIN_OPTION: "DEFERRED"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC; SQLite hands back naive values, which we mark as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Enums are stored as strings (their values) with a CHECK constraint, never as native database enums:
    # adding a value then needs no ALTER TYPE, and SQLite and PostgreSQL hold the same thing.
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's own class attribute
        datetime: UTCDateTime(),
        enum.Enum: SAEnum(
            enum.Enum,
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
    }


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())


class VersionedMixin:
    """Optimistic locking: an UPDATE that finds another version raises StaleDataError instead of overwriting."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def _prepare_sqlite_path(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_db_engine(database_url: str, *, echo: bool = False, track_writes: bool = True) -> Engine:
    """Create an engine; SQLite gets WAL mode, a busy timeout and enforced foreign keys.

    ``track_writes``: count committed writes in the data version (app/data_version.py); off for migrations.
    """
    engine = _create_engine(database_url, echo=echo)
    if track_writes:
        data_version.install(engine)
    return engine


def _create_engine(database_url: str, *, echo: bool) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_path(url)
        busy_ms = get_settings().sqlite_busy_timeout_ms
        engine = create_engine(url, echo=echo, connect_args={"timeout": busy_ms / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (BEGIN IMMEDIATE for writers).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front, so a second writer waits (busy timeout) instead of
            # failing with "database is locked" when it upgrades a read transaction. Read-only work (GET
            # requests) asks for DEFERRED, so readers never queue behind writers (WAL lets both run).
            mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")

        return engine
    return create_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args={"connect_timeout": 5}
    )


@lru_cache
def get_engine() -> Engine:
    return create_db_engine(get_settings().database_url)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    """Sessions on the configured database, for code outside a request (the CLI)."""
    return make_sessionmaker(get_engine())


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the handler returns, rolled back when it raises."""
    session = request.app.state.sessionmaker()
    if request.method in SAFE_METHODS:
        session.connection(execution_options=READ_ONLY)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
