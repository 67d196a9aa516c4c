"""CSRF protection that does not break forms: the browser's Sec-Fetch-Site / Origin decide; a session-bound signed
token when a client sends neither (app/web/csrf.py). The route walk is in test_csrf_walk.py."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role
from tests.factories import PASSWORD, csrf_token, make_user, sign_in

CSRF_MESSAGE = "This form has expired or was sent from somewhere else"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# Cookies set by another application on the same domain that Python's http.cookies.SimpleCookie cannot parse.
FOREIGN_COOKIES = ['legacy="unbalanced', 'prefs={"theme":"dark"}', "odd name=1", "path=C:\\temp"]


def _form_token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the page has no form with a csrf_token"
    return found.group(1)


def _csrf_refused(response: object) -> bool:
    return response.status_code == 403 and CSRF_MESSAGE in response.text  # type: ignore[attr-defined]


def test_the_token_is_in_the_forms_and_no_cookie_is_set(client: TestClient) -> None:
    for path in ("/login", "/static/app.css", "/healthz", "/no-such-page"):
        response = client.get(path)
        assert "set-cookie" not in response.headers, f"{path} sets a cookie"
    assert _form_token(client.get("/login").text) == csrf_token(client)


@pytest.mark.parametrize("foreign", FOREIGN_COOKIES)
def test_an_unparseable_foreign_cookie_does_not_break_forms(
    app: FastAPI, client: TestClient, session: Session, foreign: str
) -> None:
    user = make_user(session, role=Role.admin)
    sign_in(client, user)
    cookies = "; ".join([foreign, *(f"{name}={value}" for name, value in client.cookies.items())])
    browser = TestClient(app, base_url="https://127.0.0.1")  # sends exactly the Cookie header below
    page = browser.get("/notifications", headers={"Cookie": cookies})
    assert page.status_code == 200 and "Sign out" in page.text, "the foreign cookie hid the session"
    response = browser.post(
        "/notifications/read-all",
        data={"csrf_token": _form_token(page.text)},
        headers={"Cookie": cookies},
        follow_redirects=False,
    )
    assert not _csrf_refused(response), response.status_code
    assert response.status_code == 303


def test_a_form_left_open_in_another_tab_still_posts(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.admin)
    first_tab = client.get("/login").text
    client.get("/login")  # a second tab, and the static files it loads
    client.get("/static/app.css")
    response = client.post(
        "/login",
        data={"csrf_token": _form_token(first_tab), "email": user.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    first_tab = client.get("/notifications").text
    second_tab = client.get("/admin/users").text
    client.get("/static/app.css")
    assert _form_token(first_tab) == _form_token(second_tab)
    response = client.post(
        "/notifications/read-all", data={"csrf_token": _form_token(first_tab)}, follow_redirects=False
    )
    assert response.status_code == 303


def test_the_token_is_bound_to_the_session(app: FastAPI, session: Session) -> None:
    alice, bob = TestClient(app, base_url="https://127.0.0.1"), TestClient(app, base_url="https://127.0.0.1")
    sign_in(alice, make_user(session, role=Role.admin))
    sign_in(bob, make_user(session, role=Role.admin))
    assert csrf_token(alice) != csrf_token(bob)
    stolen = alice.post("/notifications/read-all", data={"csrf_token": csrf_token(bob)}, follow_redirects=False)
    assert _csrf_refused(stolen)
    signed_out = TestClient(app, base_url="https://127.0.0.1")
    assert csrf_token(signed_out) != csrf_token(alice)  # the sign-in page's token does not work once signed in
    response = alice.post("/notifications/read-all", data={"csrf_token": csrf_token(signed_out)})
    assert _csrf_refused(response)


def test_the_token_is_signed_with_the_secret_key(app: FastAPI, session: Session) -> None:
    from app.web.csrf import token_for

    client = TestClient(app, base_url="https://127.0.0.1")
    sign_in(client, make_user(session, role=Role.admin))
    forged = token_for("another secret key, not the service's own", client.cookies.get(SESSION_COOKIE))
    assert _csrf_refused(client.post("/notifications/read-all", data={"csrf_token": forged}))
    assert _csrf_refused(client.post("/notifications/read-all", headers={"X-CSRF-Token": forged}))


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another application on a sibling domain
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://127.0.0.1"},  # Sec-Fetch-Site decides
        {"Origin": "https://evil.example"},
        {"Origin": "https://127.0.0.1.evil.example"},
        {"Origin": "null"},
    ],
    ids=["cross-site", "same-site", "cross-site-same-origin", "foreign-origin", "suffix-origin", "null-origin"],
)
def test_a_cross_site_post_is_refused_even_with_a_valid_token(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    token = csrf_token(client)
    form = client.post("/notifications/read-all", data={"csrf_token": token}, headers=headers)
    htmx = client.post("/notifications/read-all", headers={**headers, "X-CSRF-Token": token, "HX-Request": "true"})
    assert _csrf_refused(form) and _csrf_refused(htmx)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the user
        {"Origin": "https://127.0.0.1"},
    ],
    ids=["same-origin", "user-initiated", "same-origin-origin"],
)
def test_a_same_origin_browser_post_needs_no_token(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    response = client.post("/notifications/read-all", headers=headers, follow_redirects=False)
    assert response.status_code == 303


def test_the_public_address_is_a_trusted_origin(app: FastAPI, session: Session) -> None:
    app.state.settings = app.state.settings.model_copy(update={"public_url": "https://review.example.org"})
    client = TestClient(app, base_url="https://127.0.0.1")  # behind a proxy that rewrote the Host header
    sign_in(client, make_user(session, role=Role.admin))
    ok = client.post(
        "/notifications/read-all", headers={"Origin": "https://review.example.org"}, follow_redirects=False
    )
    assert ok.status_code == 303
    assert _csrf_refused(client.post("/notifications/read-all", headers={"Origin": "http://review.example.org"}))


def test_without_either_header_a_missing_or_forged_token_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    assert _csrf_refused(client.post("/notifications/read-all"))
    assert _csrf_refused(client.post("/notifications/read-all", data={"csrf_token": ""}))
    assert _csrf_refused(client.post("/notifications/read-all", data={"csrf_token": "x" * 43}))
    assert _csrf_refused(client.post("/notifications/read-all", headers={"X-CSRF-Token": csrf_token(client)[::-1]}))
    ok = client.post("/notifications/read-all", data={"csrf_token": csrf_token(client)}, follow_redirects=False)
    assert ok.status_code == 303
    ok = client.post("/notifications/read-all", headers={"X-CSRF-Token": csrf_token(client)}, follow_redirects=False)
    assert ok.status_code == 303


def test_signed_out_sign_in_works_with_the_pages_token(client: TestClient, session: Session) -> None:
    user = make_user(session)
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False)
    assert _csrf_refused(refused)
    token = _form_token(client.get("/login").text)
    response = client.post(
        "/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_the_api_is_exempt(client: TestClient) -> None:
    response = client.post("/api/v1/commitments", json={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 401  # no bearer token: refused by the API's own rule, not by the CSRF check
