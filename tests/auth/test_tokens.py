"""API tokens have a life: they expire, can be revoked (by their owner, an administrator, the CLI), and end for good
with a password change or a deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app import db
from app.auth import service as auth_service
from app.auth import sessions
from app.auth.models import ApiToken, Role
from app.db import utcnow
from tests.factories import PASSWORD, make_user, post_form, sign_in
from tests.test_cli import cli_db, gcm  # noqa: F401  (the CLI fixture on a fresh database of each backend)


def _api(client: TestClient, token: str) -> int:
    return client.get("/api/v1/objectives", headers={"Authorization": f"Bearer {token}"}).status_code


def _assert_refused_as_json(client: TestClient, token: str) -> None:
    response = client.get("/api/v1/objectives", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert "revoked or expired" in response.json()["message"]


def test_a_new_token_expires_after_90_days_by_default(session: Session) -> None:
    issued = auth_service.create_token(session, user=make_user(session))
    expires = issued.record.expires_at
    assert expires is not None
    assert timedelta(days=89, hours=23) < expires - utcnow() <= timedelta(days=90)
    short = auth_service.create_token(session, user=make_user(session), days=7).record.expires_at
    assert short is not None and short - utcnow() <= timedelta(days=7)


def test_an_expired_or_revoked_token_gets_401_json(client: TestClient, session: Session) -> None:
    user = make_user(session)
    expired = auth_service.create_token(session, user=user, expires_at=utcnow() - timedelta(seconds=1))
    revoked = auth_service.create_token(session, user=user)
    assert _api(client, revoked.token) == 200
    assert auth_service.revoke_token(session, revoked.record)
    _assert_refused_as_json(client, expired.token)
    _assert_refused_as_json(client, revoked.token)


def test_a_password_change_revokes_every_token_for_good(client: TestClient, session: Session) -> None:
    user = make_user(session)
    token = auth_service.create_token(session, user=user).token
    assert _api(client, token) == 200
    sign_in(client, user)
    new = {"current_password": PASSWORD, "new_password": "new password 123", "confirm_password": "new password 123"}
    assert post_form(client, "/account/password", new, follow_redirects=False).status_code == 303
    _assert_refused_as_json(client, token)


def test_a_password_set_with_a_link_revokes_every_token(client: TestClient, session: Session) -> None:
    user = make_user(session)
    token = auth_service.create_token(session, user=user).token
    link = sessions.issue_password_link(session, user=user, issued_by=None)
    sessions.use_password_token(session, token=link, password="another password")
    _assert_refused_as_json(client, token)


def test_reactivating_a_user_does_not_revive_their_tokens(client: TestClient, session: Session) -> None:
    admin = make_user(session)
    user = make_user(session, role=Role.secretariat)
    token = auth_service.create_token(session, user=user).token
    sign_in(client, admin)
    assert post_form(client, f"/admin/users/{user.id}/deactivate", follow_redirects=False).status_code == 303
    _assert_refused_as_json(client, token)
    assert post_form(client, f"/admin/users/{user.id}/reactivate", follow_redirects=False).status_code == 303
    session.refresh(user)
    assert user.is_active
    _assert_refused_as_json(client, token)
    record = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert record.revoked_at is not None


def test_the_tokens_page_lists_my_tokens_and_revokes_one(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.focal_point)
    mine = auth_service.create_token(session, user=user, name="nightly sync")
    other = auth_service.create_token(session, user=user, name="spreadsheet")
    someone_else = auth_service.create_token(session, user=make_user(session), name="not yours")
    sign_in(client, user)
    page = client.get("/account/tokens")
    assert page.status_code == 200
    assert "nightly sync" in page.text and mine.record.prefix in page.text and "spreadsheet" in page.text
    assert "not yours" not in page.text
    assert mine.token not in page.text  # only the prefix is ever shown again
    assert f'datetime="{mine.record.expires_at.isoformat()}"' in page.text
    response = post_form(client, f"/account/tokens/{mine.record.id}/revoke", follow_redirects=False)
    assert response.status_code == 303
    assert "has been revoked" in client.get(response.headers["location"]).text
    _assert_refused_as_json(client, mine.token)
    assert _api(client, other.token) == 200
    # Someone else's token is not found (and keeps working).
    assert post_form(client, f"/account/tokens/{someone_else.record.id}/revoke").status_code == 404
    assert _api(client, someone_else.token) == 200


def test_the_tokens_page_creates_a_token_shown_once(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.preparer)
    sign_in(client, user)
    response = post_form(client, "/account/tokens", {"name": "Report builder", "days": "30"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    record = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert record.name == "Report builder"
    assert record.expires_at is not None and record.expires_at - utcnow() <= timedelta(days=30)
    token = response.text.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert token.startswith(record.prefix)
    assert _api(client, token) == 200
    assert token not in client.get("/account/tokens").text


def test_the_token_form_keeps_the_input_and_shows_errors_beside_the_fields(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    sign_in(client, user)
    response = post_form(client, "/account/tokens", {"name": "x" * 101, "days": "1000"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and 'id="days-error"' in response.text
    assert 'aria-invalid="true"' in response.text and 'value="1000"' in response.text
    assert session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []
    assert post_form(client, "/account/tokens", {"days": "soon"}).status_code == 422


def test_an_administrator_revokes_a_users_token_on_their_page(client: TestClient, session: Session) -> None:
    admin = make_user(session)
    user = make_user(session, role=Role.secretariat)
    issued = auth_service.create_token(session, user=user, name="their script")
    sign_in(client, admin)
    page = client.get(f"/admin/users/{user.id}")
    assert "their script" in page.text and issued.record.prefix in page.text
    url = f"/admin/users/{user.id}/tokens/{issued.record.id}/revoke"
    response = post_form(client, url, follow_redirects=False)
    assert response.status_code == 303
    assert "API token has been revoked" in client.get(response.headers["location"]).text
    _assert_refused_as_json(client, issued.token)
    # A token of another user through this user's page: not found.
    stray = auth_service.create_token(session, user=admin)
    assert post_form(client, f"/admin/users/{user.id}/tokens/{stray.record.id}/revoke").status_code == 404


def test_cli_token_create_with_days_list_and_revoke(cli_db: str) -> None:  # noqa: F811
    gcm("db", "upgrade")
    gcm("user", "create", "--email", "a@example.org", "--name", "A", "--role", "admin")
    first = gcm("token", "create", "--email", "a@example.org", "--days", "10", "--name", "one").strip()
    second = gcm("token", "create", "--email", "a@example.org").strip()
    third = gcm("token", "create", "--email", "a@example.org").strip()
    with db.get_sessionmaker()() as session:
        records = {r.token_hash: r for r in session.scalars(select(ApiToken))}
        one = records[auth_service.digest_token(first)]
        two = records[auth_service.digest_token(second)]
        assert one.expires_at is not None and one.expires_at - utcnow() <= timedelta(days=10)
        assert two.expires_at is not None and two.expires_at - utcnow() > timedelta(days=89)
    listing = gcm("token", "list", "--email", "a@example.org")
    assert one.prefix in listing and "valid" in listing and "one" in listing
    assert f"Revoked token {one.id}" in gcm("token", "revoke", one.prefix)
    assert "revoked already" in gcm("token", "revoke", str(one.id))
    assert "No API token" in gcm("token", "revoke", "gcm_nosuchprefix", ok=False)
    assert "Revoked 2 token(s)" in gcm("token", "revoke", "--email", "a@example.org")
    with db.get_sessionmaker()() as session:
        for token in (first, second, third):
            assert auth_service.authenticate_token(session, token) is None
    assert "revoked" in gcm("token", "list", "--email", "a@example.org")


@pytest.mark.parametrize("days", ["0", "366"])
def test_cli_refuses_a_token_lifetime_out_of_range(cli_db: str, days: str) -> None:  # noqa: F811
    gcm("db", "upgrade")
    gcm("user", "create", "--email", "a@example.org", "--name", "A", "--role", "admin")
    assert "1 to 365 days" in gcm("token", "create", "--email", "a@example.org", "--days", days, ok=False)
