"""Every unsafe method on every non-API route is refused without the CSRF token, and from another site even with it
(as every role, so the access rules let the request reach the CSRF check rather than stop at 403 for the role)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role
from tests.factories import csrf_token, make_user
from tests.test_access import _fill, api_routes, samples  # noqa: F401 - the shared sample values fixture

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "This form has expired or was sent from somewhere else"


@pytest.mark.parametrize("role", [Role.admin, Role.secretariat, Role.focal_point], ids=lambda r: r.value)
def test_unsafe_requests_without_csrf_token_are_refused(
    app: FastAPI,
    session: Session,
    samples: dict[str, Any],  # noqa: F811
    role: Role,
) -> None:
    user = make_user(session, role=role, country="PHL" if role is Role.focal_point else None)
    client = TestClient(app, base_url="https://127.0.0.1")
    client.cookies.set(SESSION_COOKIE, sessions.start_session(session, user=user).token)
    token = csrf_token(client)  # the session's valid token: sent only from another site below
    checked, failures = 0, []
    for route in api_routes(app):
        if route.path.startswith("/api/"):
            continue
        for method in sorted(route.methods & UNSAFE):
            url = _fill(route.path, samples)
            for label, kwargs in (
                ("no token", {"data": {"x": "1"}}),
                ("wrong token", {"data": {"csrf_token": "x" * 43}}),
                ("wrong header", {"headers": {"X-CSRF-Token": token[::-1]}}),
                ("cross-site", {"data": {"csrf_token": token}, "headers": {"Sec-Fetch-Site": "cross-site"}}),
                ("same-site", {"headers": {"X-CSRF-Token": token, "Sec-Fetch-Site": "same-site"}}),
                ("foreign origin", {"data": {"csrf_token": token}, "headers": {"Origin": "https://evil.example"}}),
            ):
                response = client.request(method, url, follow_redirects=False, **kwargs)
                checked += 1
                if response.status_code != 403 or CSRF_MESSAGE not in response.text:
                    failures.append(f"{method} {url} ({label}): {response.status_code}")
    assert checked > 20
    assert failures == [], "unsafe requests accepted without a CSRF token:\n" + "\n".join(failures)


def test_signed_out_sign_in_post_needs_the_token(client: TestClient) -> None:
    response = client.post("/login", data={"email": "a@b.c", "password": "x"}, follow_redirects=False)
    assert response.status_code == 403
