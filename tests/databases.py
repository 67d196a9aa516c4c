"""Throwaway databases for the tests: a SQLite file, or a fresh PostgreSQL database on the local server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The server the PostgreSQL tests create their databases on (the user needs CREATEDB).
POSTGRES_ADMIN_URL = os.environ.get("GCM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Which databases the suite runs on. Both by default: set to "sqlite" only to work offline from PostgreSQL.
BACKENDS = [b.strip() for b in os.environ.get("GCM_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"gcm_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        raise RuntimeError(
            f"PostgreSQL is needed for the tests and was not reachable at {POSTGRES_ADMIN_URL}"
            f" ({exc.__class__.__name__}). Start it, point GCM_TEST_POSTGRES_URL at a server,"
            " or set GCM_TEST_DATABASES=sqlite to skip it."
        ) from exc
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    path = directory / f"gcm_test_{uuid.uuid4().hex[:12]}.sqlite3"
    yield f"sqlite:///{path}"


@contextmanager
def throwaway_database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "postgresql":
        with postgres_database() as url:
            yield url
    elif backend == "sqlite":
        with sqlite_database(directory) as url:
            yield url
    else:
        raise ValueError(f"unknown test database backend {backend!r}")
