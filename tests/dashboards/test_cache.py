"""The data version and the dashboards' result cache (app/data_version.py), with real commits on each database.

These tests do not use the suite's rolled-back transaction: each builds a throwaway database, so that commits,
rollbacks and a second connection behave exactly as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app import data_version
from app.auth.models import Role
from app.config import Environment, Settings
from app.data_version import ResultCache, writes_data
from app.db import READ_ONLY, create_db_engine
from app.main import create_app
from app.migrate import upgrade
from app.seed import seed_reference_data
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.databases import throwaway_database
from tests.factories import make_cycle, make_user, sign_in


@pytest.fixture
def engine_url(backend: str, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    with throwaway_database(backend, tmp_path) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference_data(session)
            session.commit()
        try:
            yield engine, url
        finally:
            engine.dispose()


def _version(engine: Engine) -> int:
    with Session(engine) as session:
        version = data_version.current(session)
    assert version is not None
    return version


def test_which_statements_count_as_writes() -> None:
    assert not writes_data("SELECT 1")
    assert not writes_data("  select country.id FROM country")
    assert not writes_data("SAVEPOINT sa_savepoint_1")
    assert not writes_data("INSERT INTO user_session (token) VALUES (?)")
    assert not writes_data('UPDATE "notification" SET read_at = now()')
    assert not writes_data("DELETE FROM login_attempt WHERE id < 5")
    assert writes_data("INSERT INTO objective_report (rating) VALUES (?)")
    assert writes_data("UPDATE answer SET text = ? WHERE id = ?")  # the answers and their choices count
    assert writes_data("INSERT INTO answer_choice (answer_id, value) VALUES (?, ?)")
    assert writes_data("DELETE FROM answer_choice WHERE answer_choice.answer_id = ?")
    assert writes_data('UPDATE "submission" SET status = ?')
    assert writes_data("DELETE FROM indicator_value")
    assert writes_data("INSERT OR REPLACE INTO commitment VALUES (1)")
    assert writes_data("WITH x AS (SELECT 1) UPDATE country SET name = name")  # unknown shapes count as writes
    assert writes_data("CREATE TABLE t (id int)")


def test_a_committed_write_bumps_the_version_a_rollback_or_an_ignored_table_does_not(
    engine_url: tuple[Engine, str],
) -> None:
    engine, _url = engine_url
    start = _version(engine)
    with Session(engine) as session:
        session.execute(text("UPDATE country SET name = name WHERE iso3 = 'THA'"))
        session.rollback()
    assert _version(engine) == start
    with Session(engine) as session:
        session.execute(text("DELETE FROM login_attempt"))
        session.commit()
    assert _version(engine) == start
    with Session(engine) as session:
        session.execute(text("UPDATE country SET name = name WHERE iso3 = 'THA'"))
        assert data_version.current(session) is None  # its own writes are not committed: no cache for it
        session.commit()
    assert _version(engine) == start + 1
    with Session(engine) as session:
        make_cycle(session)  # an ORM flush
        session.commit()
    assert _version(engine) == start + 2


def test_the_cache_serves_a_result_until_another_connection_commits_a_write(engine_url: tuple[Engine, str]) -> None:
    engine, _url = engine_url
    cache = ResultCache()
    computed: list[int] = []

    def read() -> int:
        with Session(engine) as session:
            session.connection(execution_options=READ_ONLY)  # as GET requests do (SQLite: readers never wait)
            return cache.get(session, "key", lambda: computed.append(1) or len(computed))

    assert read() == 1 and read() == 1 and cache.hits == 1
    with Session(engine) as writer:
        make_cycle(writer)
        with Session(engine) as reader:  # the write is not committed yet: the reader still gets the cached result
            reader.connection(execution_options=READ_ONLY)
            assert cache.get(reader, "key", lambda: 99) == 1
        writer.commit()
    assert read() == 2 and read() == 2
    with Session(engine) as session:  # a session with writes of its own computes, and stores nothing
        make_cycle(session)
        assert cache.get(session, "key", lambda: 42) == 42
        session.rollback()
    assert read() == 2


def test_dashboards_show_a_committed_change_at_once(engine_url: tuple[Engine, str]) -> None:
    """Through the service: a cached overview changes as soon as a submission's status change is committed."""
    engine, url = engine_url
    with Session(engine, expire_on_commit=False) as session:
        cycle = make_cycle(session)
        secretariat = make_user(session, role=Role.secretariat)
        submission = submission_with_status(session, "THA", SubmissionStatus.submitted, cycle=cycle)
        session.commit()
        cycle_id, submission_id = cycle.id, submission.id
    app = create_app(Settings(env=Environment.test, database_url=url))
    try:
        with TestClient(app, base_url="https://127.0.0.1") as client:
            sign_in(client, secretariat)
            page = f"/dashboards?cycle={cycle_id}"
            assert "status--submitted" in client.get(page).text
            hits, misses = app.state.result_cache.hits, app.state.result_cache.misses
            assert "status--submitted" in client.get(page).text
            # The second view came from the cache (the questionnaires and the overview's figures): nothing computed.
            assert app.state.result_cache.hits > hits and app.state.result_cache.misses == misses
            with Session(engine) as session:
                session.execute(
                    text("UPDATE submission SET status = 'approved' WHERE id = :id").bindparams(id=submission_id)
                )
                session.commit()
            after = client.get(page).text
            assert "status--approved" in after and "status--submitted" not in after
    finally:
        app.state.engine.dispose()


def test_search_results_follow_a_committed_edit(engine_url: tuple[Engine, str]) -> None:
    engine, url = engine_url
    with Session(engine, expire_on_commit=False) as session:
        submission = submission_with_status(session, "THA", SubmissionStatus.published, text="quokka")
        session.commit()
        report_id = submission.objective_reports[0].id
    app = create_app(Settings(env=Environment.test, database_url=url))
    try:
        with TestClient(app, base_url="https://127.0.0.1") as client:
            assert "<mark>quokka</mark>" in client.get("/search?q=quokka&kind=report").text
            assert "<mark>quokka</mark>" in client.get("/search?q=quokka&kind=report").text
            misses = app.state.result_cache.misses
            with Session(engine) as session:
                session.execute(
                    text(
                        "UPDATE answer SET text = 'wallaby', value = '\"wallaby\"' "
                        "WHERE submission_id = :s AND key = 'narrative'"
                    ).bindparams(s=submission.id)
                )
                session.commit()
            assert "<mark>quokka</mark>" not in client.get("/search?q=quokka&kind=report").text
            assert f"report-{report_id}" in client.get("/search?q=wallaby&kind=report").text
            # Both searches after the edit were computed afresh (and the questionnaires, read again once).
            assert app.state.result_cache.misses == misses + 3
    finally:
        app.state.engine.dispose()
