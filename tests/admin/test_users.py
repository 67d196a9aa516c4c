"""The user administration pages: create with a one-time link, edit, deactivate, permissions, conflicts, audit."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditAction, AuditEvent
from app.auth import service as auth_service
from app.auth.models import Role, User, UserSession
from tests.factories import make_user, sign_in
from tests.factories import post_form as _post_form

LINK = re.compile(r"https://127\.0\.0\.1/set-password/([A-Za-z0-9_\-]+)")


def post_form(client: TestClient, url: str, data: dict[str, object] | None = None, **kwargs: object):
    """POST a form without following the redirect (the status is what we check)."""
    return _post_form(client, url, data, follow_redirects=False, **kwargs)


def signed_in_admin(client: TestClient, session: Session) -> User:
    admin = make_user(session, role=Role.admin)
    sign_in(client, admin)
    return admin


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def new_user_form(**overrides: str) -> dict[str, str]:
    return {"email": "new.fp@example.org", "name": "Maria Santos", "role": "focal_point", "country": "PHL", **overrides}


def edit_form(user: User, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": user.name,
        "role": user.role.value,
        "country": "PHL" if user.role is Role.focal_point else "",  # the factories' country
        "version": user.version,
    }
    return {**data, **overrides}


def load(session: Session, user_id: int) -> User:
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    return user


# ---- creating users --------------------------------------------------------------------------------------------


def test_admin_creates_a_focal_point_and_sees_a_working_one_time_link(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    response = post_form(client, "/admin/users", new_user_form(email="New.FP@Example.org "))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    match = LINK.search(response.text)
    assert match, response.text
    assert "shown only this once" in response.text and "expires in 7 days" in response.text
    created = session.scalars(select(User).where(User.email == "new.fp@example.org")).one()
    assert created.role is Role.focal_point and created.password_hash is None
    assert created.country_id is not None
    form = client.get(f"/set-password/{match.group(1)}")
    assert form.status_code == 200
    assert "new.fp@example.org" in form.text


def test_new_user_sets_a_password_with_the_link_and_signs_in(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    token = LINK.search(post_form(client, "/admin/users", new_user_form()).text).group(1)  # type: ignore[union-attr]
    client.cookies.clear()
    password = "a long new password"
    done = post_form(client, f"/set-password/{token}", {"new_password": password, "confirm_password": password})
    assert done.status_code == 303
    created = session.scalars(select(User).where(User.email == "new.fp@example.org")).one()
    sign_in(client, created, password)


def test_users_page_lists_people_with_role_country_and_last_sign_in(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    fp = make_user(session, role=Role.focal_point, country="VNM", email="fp.vnm@example.org")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "fp.vnm@example.org" in page.text and "Viet Nam" in page.text and "National focal point" in page.text
    assert f'href="/admin/users/{fp.id}"' in page.text
    assert "UTC" in page.text  # the admin's own last sign-in


def test_focal_point_without_country_is_refused_beside_the_field_and_input_kept(
    client: TestClient, session: Session
) -> None:
    signed_in_admin(client, session)
    before = user_count(session)
    response = post_form(client, "/admin/users", new_user_form(country=""))
    assert response.status_code == 422
    assert 'id="country-error"' in response.text and "A focal point reports for one country" in response.text
    assert 'value="new.fp@example.org"' in response.text and 'value="Maria Santos"' in response.text
    assert '<option value="focal_point" selected>' in response.text
    assert user_count(session) == before


def test_country_for_another_role_is_refused(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    before = user_count(session)
    response = post_form(client, "/admin/users", new_user_form(role="secretariat", country="PHL"))
    assert response.status_code == 422
    assert 'id="country-error"' in response.text and "Only focal points have a country" in response.text
    assert '<option value="secretariat" selected>' in response.text and '<option value="PHL" selected>' in response.text
    assert user_count(session) == before


def test_duplicate_email_is_refused_beside_the_field(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    make_user(session, email="taken@example.org")
    before = user_count(session)
    response = post_form(client, "/admin/users", new_user_form(email="Taken@example.org"))
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and "already exists" in response.text
    assert 'value="Maria Santos"' in response.text
    assert user_count(session) == before


def test_every_wrong_field_gets_its_own_message(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    before = user_count(session)
    response = post_form(client, "/admin/users", {"email": "not-an-address", "name": "  ", "role": "king"})
    assert response.status_code == 422
    for field in ("email", "name", "role"):
        assert f'id="{field}-error"' in response.text
    assert 'value="not-an-address"' in response.text
    assert user_count(session) == before


# ---- permissions -----------------------------------------------------------------------------------------------

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/cycles", "/admin/cycles/new"]


@pytest.mark.parametrize("role", [Role.focal_point, Role.secretariat, Role.preparer])
def test_other_roles_are_refused_with_403(client: TestClient, session: Session, role: Role) -> None:
    user = make_user(session, role=role)
    sign_in(client, user)
    for url in [*ADMIN_PAGES, f"/admin/users/{user.id}"]:
        assert client.get(url).status_code == 403, url
    before = user_count(session)
    assert post_form(client, "/admin/users", new_user_form()).status_code == 403
    assert post_form(client, f"/admin/users/{user.id}", edit_form(user, role="admin")).status_code == 403
    assert user_count(session) == before
    assert load(session, user.id).role is role


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, session: Session) -> None:
    for url in ADMIN_PAGES:
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login")
    before = user_count(session)
    response = post_form(client, "/admin/users", new_user_form())
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert user_count(session) == before


# ---- editing ---------------------------------------------------------------------------------------------------


def test_admin_changes_a_focal_point_into_a_secretariat_reviewer(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    fp = make_user(session, role=Role.focal_point, country="PHL")
    page = client.get(f"/admin/users/{fp.id}")
    assert page.status_code == 200 and f'name="version" value="{fp.version}"' in page.text
    changes = edit_form(fp, name="Ana Reyes", role="secretariat", country="")
    response = post_form(client, f"/admin/users/{fp.id}", changes)
    assert response.status_code == 303
    assert client.get(response.headers["location"]).text.count("The changes have been saved.") == 1
    saved = load(session, fp.id)
    assert (saved.name, saved.role, saved.country_id) == ("Ana Reyes", Role.secretariat, None)


def test_edit_keeps_the_country_rules(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    other = make_user(session, role=Role.secretariat)
    response = post_form(client, f"/admin/users/{other.id}", edit_form(other, role="focal_point", name="New name"))
    assert response.status_code == 422
    assert 'id="country-error"' in response.text and 'value="New name"' in response.text
    assert load(session, other.id).role is Role.secretariat


def test_stale_edit_is_refused_and_shows_the_saved_values(client: TestClient, session: Session) -> None:
    admin = signed_in_admin(client, session)
    fp = make_user(session, role=Role.focal_point, country="PHL")
    loaded_version = fp.version
    auth_service.update_user(
        session, user=fp, actor=admin, name="Saved By Someone", role="focal_point", country="PHL", version=fp.version
    )
    response = post_form(client, f"/admin/users/{fp.id}", edit_form(fp, name="My Typed Name", version=loaded_version))
    assert response.status_code == 409
    assert "Someone else changed this user" in response.text
    assert "Saved By Someone" in response.text and 'value="My Typed Name"' in response.text
    saved = load(session, fp.id)
    assert saved.name == "Saved By Someone"
    assert f'name="version" value="{saved.version}"' in response.text  # saving again is a knowing choice


def test_admin_cannot_remove_their_own_admin_role(client: TestClient, session: Session) -> None:
    admin = signed_in_admin(client, session)
    response = post_form(client, f"/admin/users/{admin.id}", edit_form(admin, role="secretariat"))
    assert response.status_code == 422
    assert 'id="role-error"' in response.text and "cannot remove your own administrator role" in response.text
    assert load(session, admin.id).role is Role.admin


# ---- deactivation, reactivation, password links ------------------------------------------------------------------


def test_deactivation_ends_the_users_sessions(app: FastAPI, client: TestClient, session: Session) -> None:
    fp = make_user(session, role=Role.focal_point, country="PHL")
    with TestClient(app, base_url="https://127.0.0.1") as theirs:
        sign_in(theirs, fp)
        assert theirs.get("/my", follow_redirects=False).status_code == 200
        signed_in_admin(client, session)
        response = post_form(client, f"/admin/users/{fp.id}/deactivate")
        assert response.status_code == 303
        assert "deactivated and signed out everywhere" in client.get(response.headers["location"]).text
        after = theirs.get("/my", follow_redirects=False)
        assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert not load(session, fp.id).is_active
    live = session.scalars(
        select(UserSession).where(UserSession.user_id == fp.id, UserSession.revoked_at.is_(None))
    ).all()
    assert live == []


def test_admin_cannot_deactivate_themselves(client: TestClient, session: Session) -> None:
    admin = signed_in_admin(client, session)
    response = post_form(client, f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 409
    assert "You cannot deactivate your own account" in response.text
    assert load(session, admin.id).is_active
    assert client.get("/admin/users").status_code == 200  # still signed in


def test_reactivated_user_can_sign_in_again(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    fp = make_user(session, role=Role.focal_point, country="PHL")
    post_form(client, f"/admin/users/{fp.id}/deactivate")
    response = post_form(client, f"/admin/users/{fp.id}/reactivate")
    assert response.status_code == 303
    assert load(session, fp.id).is_active
    client.cookies.clear()
    sign_in(client, fp)


def test_reset_password_issues_a_new_link_and_the_old_one_stops_working(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    first = LINK.search(post_form(client, "/admin/users", new_user_form()).text).group(1)  # type: ignore[union-attr]
    created = session.scalars(select(User).where(User.email == "new.fp@example.org")).one()
    response = post_form(client, f"/admin/users/{created.id}/password-link")
    assert response.status_code == 200 and "Any earlier link no longer works" in response.text
    second = LINK.search(response.text).group(1)  # type: ignore[union-attr]
    assert second != first
    assert client.get(f"/set-password/{first}").status_code == 404
    assert client.get(f"/set-password/{second}").status_code == 200


def test_deactivation_stops_outstanding_links_and_no_new_one_is_issued(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    token = LINK.search(post_form(client, "/admin/users", new_user_form()).text).group(1)  # type: ignore[union-attr]
    created = session.scalars(select(User).where(User.email == "new.fp@example.org")).one()
    post_form(client, f"/admin/users/{created.id}/deactivate")
    post_form(client, f"/admin/users/{created.id}/reactivate")
    assert client.get(f"/set-password/{token}").status_code == 404  # reactivation does not revive the old link
    post_form(client, f"/admin/users/{created.id}/deactivate")
    refused = post_form(client, f"/admin/users/{created.id}/password-link")
    assert refused.status_code == 409 and "Reactivate them" in refused.text


def test_unknown_user_is_404(client: TestClient, session: Session) -> None:
    signed_in_admin(client, session)
    assert client.get("/admin/users/999999").status_code == 404


# ---- audit ---------------------------------------------------------------------------------------------------


def test_user_changes_are_recorded_with_the_admin_as_actor(client: TestClient, session: Session) -> None:
    admin = signed_in_admin(client, session)
    post_form(client, "/admin/users", new_user_form())
    created = session.scalars(select(User).where(User.email == "new.fp@example.org")).one()
    post_form(client, f"/admin/users/{created.id}", edit_form(created, name="Maria S. Santos"))
    post_form(client, f"/admin/users/{created.id}/deactivate")
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "user_account", AuditEvent.entity_id == str(created.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [AuditAction.create, AuditAction.update, AuditAction.update]
    assert {e.user_id for e in events} == {admin.id}
    assert events[1].after is not None and events[1].after["name"] == "Maria S. Santos"
    assert events[2].after is not None and events[2].after["is_active"] is False
    page = client.get(f"/admin/users/{created.id}")
    assert "Maria S. Santos" in page.text and "history__entry" in page.text
