"""Fixtures: every test that touches data runs on SQLite and on PostgreSQL, on a schema built by Alembic.

``db_url``  a migrated, seeded database per backend, shared by the session's tests;
``session`` a Session in a transaction rolled back after each test (savepoints for the code's own commits);
``app``/``client`` the FastAPI app on that same transaction, through the ASGI test client.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from sqlalchemy import Engine
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
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


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
def app(settings: Settings, session: Session) -> FastAPI:
    app = create_app(settings)

    def _test_session(request: Request) -> Iterator[Session]:
        # Each request runs in its own savepoint of the test's transaction: a failed request undoes only its
        # own work (as a rolled-back request would), and everything is rolled back after the test.
        nested = session.begin_nested()
        try:
            yield session
            if nested.is_active:
                nested.commit()
                data_version.committed(session.connection())  # where production commits: count the request's writes
        except BaseException:
            if nested.is_active:
                nested.rollback()
            raise

    app.dependency_overrides[get_session] = _test_session
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://127.0.0.1") as client:
        yield client
