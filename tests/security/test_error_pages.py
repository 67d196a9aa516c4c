"""Errors never show internals: no traceback, no SQL, no library names, on pages and in API bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.dependencies import MaybeUser
from app.auth.models import Role
from app.config import Settings
from app.db import SessionDep, get_session
from app.main import create_app
from tests.factories import make_user, sign_in

LEAKS = ("Traceback", "sqlalchemy", "SELECT", "psycopg", "sqlite3", 'File "', "no_such_table", "ZeroDivision")


def _test_app(settings: Settings) -> FastAPI:
    """The real app plus test-only routes that fail (never part of the production app)."""
    app = create_app(settings)

    @app.get("/boom")
    @app.get("/api/v1/boom")
    def boom(user: MaybeUser) -> None:
        raise ZeroDivisionError("secret internals")

    @app.get("/bad-sql")
    @app.get("/api/v1/bad-sql")
    def bad_sql(user: MaybeUser, db: SessionDep) -> None:
        db.execute(text("SELECT secret_column FROM no_such_table"))

    return app


@pytest.fixture
def failing_client(settings: Settings) -> TestClient:
    return TestClient(_test_app(settings), base_url="https://127.0.0.1", raise_server_exceptions=False)


@pytest.mark.parametrize("path", ["/boom", "/bad-sql", "/api/v1/boom", "/api/v1/bad-sql"])
def test_internal_errors_show_no_internals(failing_client: TestClient, path: str) -> None:
    response = failing_client.get(path)
    # SQLite reports a missing table as an OperationalError (503, like a database that is down); PostgreSQL: 500.
    assert response.status_code == 500 or (path.endswith("bad-sql") and response.status_code == 503)
    for leak in LEAKS:
        assert leak.lower() not in response.text.lower(), f"{path} shows {leak!r}"
    if path.startswith("/api/"):
        assert response.headers["content-type"].startswith("application/json")
        assert "Nothing was changed" in response.json()["message"]
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "Nothing was changed" in response.text
        assert "content-security-policy" in response.headers


def test_an_error_page_after_a_rollback_still_shows_who_is_signed_in(settings: Settings, session: Session) -> None:
    """The request's session is rolled back and closed before the error page renders, which expires and detaches
    the ORM user; the page shows the values read when the session cookie was checked."""
    app = _test_app(settings)

    def request_session() -> Iterator[Session]:
        # The real dependency's life cycle (commit or roll back, then close), inside the test's transaction.
        db = Session(bind=session.connection(), join_transaction_mode="create_savepoint")
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()

    app.dependency_overrides[get_session] = request_session
    user = make_user(session, role=Role.focal_point, country="THA")
    with TestClient(app, base_url="https://127.0.0.1", raise_server_exceptions=False) as client:
        sign_in(client, user)
        for path in ("/boom", "/bad-sql"):
            response = client.get(path)
            assert response.status_code in (500, 503), path
            assert "Nothing was changed" in response.text
            assert "Sign out" in response.text, f"{path} shows the signed-in user as signed out"
            assert user.name in response.text and "focal point · Thailand" in response.text


@pytest.mark.parametrize("path", ["/login", "/", "/api/v1/countries", "/healthz", "/no-such-page"])
def test_security_headers_on_every_kind_of_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "server" not in {k.lower() for k in headers if headers[k].lower().startswith("uvicorn")}


def test_session_cookie_flags(client: TestClient, session: Session) -> None:
    from tests.factories import make_user, sign_in

    sign_in(client, make_user(session))
    cookies = [c for c in client.cookies.jar]
    assert cookies, "no cookie set"
    for cookie in cookies:
        assert cookie.secure, cookie.name
        assert cookie.has_nonstandard_attr("HttpOnly"), cookie.name


def test_a_page_that_does_not_exist_still_shows_who_is_signed_in(client: TestClient, session: Session) -> None:
    from tests.factories import make_user, sign_in

    user = make_user(session, role=Role.focal_point, country="THA")
    assert "Sign out" not in client.get("/no-such-page").text
    sign_in(client, user)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Sign out" in response.text and user.name in response.text
    assert "focal point · Thailand" in response.text
