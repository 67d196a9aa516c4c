"""Stakeholders on the admin users page, and through the API with a token of their own."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.submissions.models import SubmissionStatus
from tests.api.helpers import auth_for
from tests.factories import make_organisation, make_submission, make_user, post_form, sign_in

LINK = re.compile(r"https://127\.0\.0\.1/set-password/([A-Za-z0-9_\-]+)")


def new_user(**overrides: str) -> dict[str, str]:
    return {"email": "s@example.org", "name": "Sam Lee", "role": "stakeholder", "country": "", **overrides}


def test_admin_adds_a_stakeholder_of_an_organisation_and_the_list_shows_it(
    client: TestClient, session: Session
) -> None:
    organisation = make_organisation(session, name="Asia Pacific Union")
    sign_in(client, make_user(session, role=Role.admin))
    form = client.get("/admin/users/new")
    assert 'value="stakeholder"' in form.text and f'value="{organisation.id}"' in form.text
    created = post_form(client, "/admin/users", new_user(organisation=str(organisation.id)))
    assert created.status_code == 200 and LINK.search(created.text)
    user = session.scalars(select(User).where(User.email == "s@example.org")).one()
    assert user.role is Role.stakeholder and user.organisation_id == organisation.id
    listed = client.get("/admin/users")
    assert "Asia Pacific Union" in listed.text and "Stakeholder" in listed.text
    assert "Asia Pacific Union" in client.get(f"/admin/users/{user.id}").text


def test_a_stakeholder_needs_an_organisation_and_other_roles_none(client: TestClient, session: Session) -> None:
    organisation = make_organisation(session)
    sign_in(client, make_user(session, role=Role.admin))
    missing = post_form(client, "/admin/users", new_user(name="Kept Name"))
    assert missing.status_code == 422 and "A stakeholder belongs to one organisation" in missing.text
    assert 'value="Kept Name"' in missing.text
    focal = post_form(
        client, "/admin/users", new_user(role="focal_point", country="PHL", organisation=str(organisation.id))
    )
    assert focal.status_code == 422 and "Only stakeholders belong to an organisation" in focal.text
    unknown = post_form(client, "/admin/users", new_user(organisation="99999999999"))
    assert unknown.status_code == 422 and "Choose an organisation from the list" in unknown.text
    session.expire_all()
    assert session.scalars(select(User).where(User.email == "s@example.org")).first() is None


def test_a_stakeholder_creates_a_token_and_the_api_answers_as_for_a_visitor(
    client: TestClient, session: Session
) -> None:
    stakeholder = make_user(session, role=Role.stakeholder)
    sign_in(client, stakeholder)
    created = post_form(client, "/account/tokens", {"name": "scripts", "days": "30"})
    assert created.status_code == 200 and "gcm_" in created.text
    draft = make_submission(session)
    published = make_submission(session, focal_point=make_user(session, role=Role.focal_point, country="THA"))
    published.status = SubmissionStatus.published
    session.flush()
    headers = auth_for(session, stakeholder)
    assert client.get(f"/api/v1/submissions/{draft.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/submissions/{published.id}", headers=headers).status_code == 200
    listed = client.get("/api/v1/submissions", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [published.id]
    assert client.post("/api/v1/commitments", headers=headers, json={}).status_code in (403, 422)
