"""Fixtures: every test that touches data runs on SQLite and on PostgreSQL, on a schema built by Alembic.

``db_url``  a migrated, seeded database per backend, shared by the session's tests;
``connection`` the test's connection, in a transaction rolled back after each test;
``session`` a Session on it (savepoints for the code's own commits);
``app``/``client`` the FastAPI app on that same transaction, through the ASGI test client: each request has a Session
of its own, so objects the test holds are not the request's (re-query, or ``session.expire_all()``, to see what a
request changed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

os.environ.setdefault("GCM_ENV", "test")
# Cheap Argon2 parameters (app/auth/passwords.py): the suite hashes thousands of passwords. Inherited by the
# services the tests start in subprocesses. `strong_password_hashing` turns the real parameters back on.
os.environ.setdefault("GCM_FAST_PASSWORD_HASHING", "true")

from app import config, data_version, models  # noqa: F401
from app.config import Environment, Settings
from app.db import create_db_engine, get_session
from app.main import create_app
from app.migrate import upgrade
from app.seed import seed_reference_data
from tests.databases import BACKENDS, throwaway_database


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def db_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database(backend, tmp_path_factory.mktemp(backend)) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference_data(session)
            session.commit()
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """The test's one connection, in a transaction rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def strong_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Passwords hashed and verified with the production parameters (for tests that time a verification)."""
    monkeypatch.setenv("GCM_FAST_PASSWORD_HASHING", "false")
    config.get_settings.cache_clear()
    yield
    monkeypatch.undo()
    config.get_settings.cache_clear()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(env=Environment.test, database_url=db_url)


@pytest.fixture
def app(settings: Settings, connection: Connection) -> FastAPI:
    app = create_app(settings)

    def _test_session(request: Request) -> Iterator[Session]:
        # Each request gets a Session of its own, as in production (nothing the test loaded is in its identity
        # map, so a missing eager load fails here too), on the test's connection: it runs in a savepoint of the
        # test's transaction, so a failed request undoes only its own work (as a rolled-back request would), and
        # everything is rolled back after the test. A second session of the same request (the export download's
        # StreamSession, which reads on after the first has committed) joins without a savepoint of its own (the
        # first's release would take it away) and never rolls back: that would end the test's transaction.
        first = not getattr(request.state, "test_session_started", False)
        request.state.test_session_started = True
        mode = "create_savepoint" if first else "rollback_only"
        request_session = Session(bind=connection, join_transaction_mode=mode, expire_on_commit=False)
        try:
            yield request_session
            request_session.commit()
            if first:
                data_version.committed(connection)  # where production commits: count the request's writes
        except BaseException:
            if first:
                request_session.rollback()
            raise
        finally:
            request_session.close()

    app.dependency_overrides[get_session] = _test_session
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://127.0.0.1") as client:
        yield client
