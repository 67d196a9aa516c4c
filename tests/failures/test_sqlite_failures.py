"""SQLite that cannot be written (a read-only file, a full disk): a clear 503 without internals, nothing
half-written. (On a failed autosave htmx keeps the page as it is, so what the user typed stays in the form.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.config import Environment, Settings
from app.db import create_db_engine
from app.main import create_app
from app.migrate import upgrade
from app.seed import seed_reference_data
from app.submissions.models import Answer
from app.submissions.models import SubmissionSection as Section
from tests.factories import PASSWORD, make_submission, make_user, post_form

LEAKS = ("Traceback", "sqlalchemy", "SELECT ", "UPDATE ", "sqlite3", "readonly database", "disk is full")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, int]]:
    path = tmp_path_factory.mktemp("sqlite-failures") / "gcm.sqlite3"
    url = f"sqlite:///{path}"
    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        seed_reference_data(session)
        focal = make_user(session, role=Role.focal_point, country="PHL")
        submission = make_submission(session, focal_point=focal)
        session.commit()
        email, submission_id = focal.email, submission.id
    engine.dispose()
    yield path, email, submission_id


def _client(url: str, email: str | None = None, **engine_setup: Any) -> TestClient:
    app = create_app(Settings(env=Environment.test, database_url=url))
    if "max_page_count" in engine_setup:

        @event.listens_for(app.state.engine, "connect")
        def _small_disk(dbapi_connection: Any, _record: Any) -> None:
            count = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {count}")

    return TestClient(app, base_url="https://127.0.0.1", raise_server_exceptions=False)


def _section_body(path: Path, submission_id: int) -> tuple[str, int]:
    engine = create_db_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        section = session.query(Section).filter_by(submission_id=submission_id, key="preparation").one()
        answer = session.query(Answer).filter_by(submission_id=submission_id, part="section:preparation").first()
        body = (answer.value if answer else "", section.version)
    engine.dispose()
    return body


def _signed_in_cookies(path: Path, email: str) -> dict[str, str]:
    client = _client(f"sqlite:///{path}")
    response = post_form(client, "/login", {"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.status_code
    return dict(client.cookies.items())


def _assert_clear_503(response: Any) -> None:
    assert response.status_code == 503, (response.status_code, response.text[-3000:])
    assert "The database is unavailable. Nothing was changed" in response.text
    for leak in LEAKS:
        assert leak not in response.text, leak


def test_read_only_database_file(database: tuple[Path, str, int]) -> None:
    path, email, submission_id = database
    cookies = _signed_in_cookies(path, email)
    before = _section_body(path, submission_id)
    client = _client(f"sqlite:///file:{path}?mode=ro&uri=true")
    client.cookies.update(cookies)
    response = post_form(
        client,
        f"/submissions/{submission_id}/sections/preparation",
        {"preparation": "Typed text.", "version": before[1]},
    )
    _assert_clear_503(response)
    assert _section_body(path, submission_id) == before
    api = client.get("/api/v1/countries", headers={"Authorization": "Bearer nothing"})
    assert api.status_code in (401, 503)


def test_full_disk(database: tuple[Path, str, int]) -> None:
    path, email, submission_id = database
    cookies = _signed_in_cookies(path, email)
    before = _section_body(path, submission_id)
    client = _client(f"sqlite:///{path}", max_page_count=True)
    client.cookies.update(cookies)
    response = post_form(
        client,
        f"/submissions/{submission_id}/sections/preparation",
        {"preparation": "A long text. " * 1500, "version": before[1]},
    )
    _assert_clear_503(response)
    assert _section_body(path, submission_id) == before
