from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.models import LoginAttempt, Role, UserSession
from app.db import utcnow
from tests.factories import PASSWORD, csrf_token, make_user, post_form, sign_in


def test_sign_in_sets_a_protected_session_cookie_and_redirects(client: TestClient, session: Session) -> None:
    user = make_user(session, email="fp@example.org", role=Role.focal_point, country="PHL")
    response = post_form(
        client,
        "/login",
        {"email": "FP@example.org ", "password": PASSWORD, "next": "/account/password"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password"
    cookie = response.headers["set-cookie"]
    assert "gcm_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    record = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert client.cookies.get("gcm_session") not in record.token_hash  # only a digest is stored
    page = client.get("/")
    assert "Sign out" in page.text and user.name in page.text


def test_wrong_password_keeps_the_email_and_says_why(client: TestClient, session: Session) -> None:
    make_user(session, email="fp@example.org")
    response = post_form(client, "/login", {"email": "fp@example.org", "password": "wrong password"})
    assert response.status_code == 400
    assert "The e-mail address or password is not right." in response.text
    assert 'value="fp@example.org"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "gcm_session" not in client.cookies


def test_empty_fields_get_messages_beside_them(client: TestClient) -> None:
    response = post_form(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and 'id="password-error"' in response.text


def test_sign_in_never_redirects_off_site(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.cookies.delete("gcm_session")
        response = post_form(
            client, "/login", {"email": user.email, "password": PASSWORD, "next": target}, follow_redirects=False
        )
        assert response.headers["location"] == "/admin/users"  # the role's start page, never the other site


def test_deactivated_user_is_told_so_only_after_the_right_password(client: TestClient, session: Session) -> None:
    user = make_user(session)
    user.is_active = False
    session.flush()
    wrong = post_form(client, "/login", {"email": user.email, "password": "wrong password"})
    assert wrong.status_code == 400
    assert "The e-mail address or password is not right." in wrong.text and "deactivated" not in wrong.text
    right = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert right.status_code == 403
    assert "This account has been deactivated" in right.text and "password is not right" not in right.text
    assert "gcm_session" not in client.cookies


def test_repeated_failures_are_throttled_per_account(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for _ in range(sessions.MAX_FAILURES_PER_ACCOUNT):
        assert post_form(client, "/login", {"email": user.email, "password": "nope nope"}).status_code == 400
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text and "15 minutes" in response.text
    assert "gcm_session" not in client.cookies


def test_throttle_per_address_covers_many_accounts(session: Session) -> None:
    for i in range(sessions.MAX_FAILURES_PER_ADDRESS):
        session.add(LoginAttempt(email=f"x{i}@example.org", ip_address="10.0.0.9", succeeded=False))
    session.flush()
    user = make_user(session)
    try:
        sessions.authenticate(session, email=user.email, password=PASSWORD, ip_address="10.0.0.9")
    except sessions.TooManyAttempts:
        pass
    else:  # pragma: no cover - the failure this test guards against
        raise AssertionError("the address was not throttled")
    assert sessions.authenticate(session, email=user.email, password=PASSWORD, ip_address="10.0.0.10") == user


def test_throttle_ends_after_the_window(session: Session) -> None:
    user = make_user(session)
    old = utcnow() - sessions.THROTTLE_WINDOW - timedelta(minutes=1)
    for _ in range(sessions.MAX_FAILURES_PER_ACCOUNT):
        session.add(LoginAttempt(email=user.email, ip_address="10.0.0.1", succeeded=False, attempted_at=old))
    session.flush()
    assert sessions.authenticate(session, email=user.email, password=PASSWORD, ip_address="10.0.0.1") == user


def test_sign_out_ends_the_session(client: TestClient, session: Session) -> None:
    user = make_user(session)
    sign_in(client, user)
    cookie = client.cookies.get("gcm_session")
    response = post_form(client, "/logout", follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("gcm_session", cookie)  # a copied cookie is useless after sign-out
    assert client.get("/account/password", follow_redirects=False).status_code == 303


def test_deactivating_a_user_ends_their_sessions(client: TestClient, session: Session) -> None:
    user = make_user(session)
    sign_in(client, user)
    assert client.get("/account/password").status_code == 200
    user.is_active = False
    session.flush()
    response = client.get("/account/password", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account/password"


def test_signed_out_htmx_request_gets_hx_redirect(client: TestClient) -> None:
    response = client.get("/account/password", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["hx-redirect"].startswith("/login?next=")


def test_change_password_requires_the_current_one_and_signs_out_other_browsers(
    app, client: TestClient, session: Session
) -> None:
    user = make_user(session)
    other = TestClient(app, base_url="https://127.0.0.1")
    sign_in(other, user)
    sign_in(client, user)
    bad = post_form(
        client,
        "/account/password",
        {"current_password": "wrong", "new_password": "new password 123", "confirm_password": "new password 123"},
    )
    assert bad.status_code == 422 and "current password is not right" in bad.text
    ok = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "new password 123", "confirm_password": "new password 123"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/account/password").status_code == 200
    assert other.get("/account/password", follow_redirects=False).status_code == 303


def test_one_time_password_link_works_once(client: TestClient, session: Session) -> None:
    user = make_user(session, password=None)
    token = sessions.issue_password_link(session, user=user, issued_by=None)
    assert client.get(f"/set-password/{token}").status_code == 200
    mismatch = post_form(
        client, f"/set-password/{token}", {"new_password": "a new password", "confirm_password": "different"}
    )
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    ok = post_form(
        client,
        f"/set-password/{token}",
        {"new_password": "a new password", "confirm_password": "a new password"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    sign_in(client, user, "a new password")
    assert client.get(f"/set-password/{token}").status_code == 404


def test_unsafe_request_without_csrf_token_is_refused_and_changes_nothing(client: TestClient, session: Session) -> None:
    user = make_user(session)
    client.get("/login")  # the browser has a CSRF cookie, but the form does not echo it
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert "gcm_session" not in client.cookies
    assert session.scalars(select(LoginAttempt).where(LoginAttempt.email == user.email)).all() == []


def test_csrf_token_from_another_browser_is_refused(client: TestClient, session: Session) -> None:
    user = make_user(session)
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": "x" * 43},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_htmx_requests_send_the_csrf_token_as_a_header(client: TestClient, session: Session) -> None:
    user = make_user(session)
    sign_in(client, user)
    without = client.post("/logout", headers={"HX-Request": "true"}, follow_redirects=False)
    assert without.status_code == 403
    with_header = client.post(
        "/logout", headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}, follow_redirects=False
    )
    assert with_header.status_code == 303


@pytest.mark.parametrize(
    ("role", "start"),
    [
        (Role.focal_point, "/my"),
        (Role.secretariat, "/review"),
        (Role.preparer, "/dashboards"),
        (Role.admin, "/admin/users"),
    ],
)
def test_sign_in_lands_on_the_roles_start_page_or_the_page_asked_for(
    client: TestClient, session: Session, role: Role, start: str
) -> None:
    user = make_user(session, role=role)
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD}, follow_redirects=False)
    assert response.headers["location"] == start
    assert client.get(start).status_code == 200
    client.cookies.delete("gcm_session")
    asked = {"email": user.email, "password": PASSWORD, "next": "/commitments?country=PHL"}
    response = post_form(client, "/login", asked, follow_redirects=False)
    assert response.headers["location"] == "/commitments?country=PHL"
