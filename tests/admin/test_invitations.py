"""Password links and invitations by e-mail when outgoing mail is configured (shown on the page when it is not):
a new user, a new link for an existing user, a stakeholder whose request to take part was accepted."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.config import Environment, Settings
from app.notifications import mail
from app.notifications.models import OutboxMail, OutboxStatus
from app.organisations import service as organisations
from tests.factories import make_user, post_form, sign_in

PUBLIC = "https://review.example.org"
MAILED_LINK = re.compile(re.escape(PUBLIC) + r"/set-password/([A-Za-z0-9_\-]+)")


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Outgoing mail configured (the server is never reached: the worker sends, and the tests deliver to the log)."""
    return Settings(env=Environment.test, database_url=db_url, smtp_url="smtp://mail.invalid:25", public_url=PUBLIC)


def outbox(session: Session, to: str) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail).where(OutboxMail.recipient == to).order_by(OutboxMail.id)))


def set_password_with(client: TestClient, token: str) -> None:
    client.cookies.clear()
    password = "a long enough new password"
    done = post_form(client, f"/set-password/{token}", {"new_password": password, "confirm_password": password})
    assert done.status_code in (200, 303), done.text


def test_a_new_user_is_invited_by_e_mail_and_the_link_is_not_shown(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    form = {"email": "new.fp@example.org", "name": "Maria Santos", "role": "focal_point", "country": "PHL"}
    page = post_form(client, "/admin/users", form)
    assert page.status_code == 200, page.text
    assert "A one-time link to set a password has been sent to new.fp@example.org." in page.text
    assert "/set-password/" not in page.text and 'id="password-link"' not in page.text

    (letter,) = outbox(session, "new.fp@example.org")
    assert letter.subject == "GCM regional review: set your password" and letter.secret
    match = MAILED_LINK.search(letter.body)
    assert match, letter.body  # the service's public address, not the request's
    assert "works once" in letter.body

    # Once the worker has handed it over, the link is no longer kept in the database.
    run = mail.deliver_outbox(session, smtp_url="", mail_from="test@example.org")
    assert run.sent >= 1
    (sent,) = outbox(session, "new.fp@example.org")
    assert sent.status is OutboxStatus.sent and sent.body == mail.SECRET_REMOVED and match.group(1) not in sent.body

    set_password_with(client, match.group(1))
    session.expire_all()
    user = session.scalars(select(User).where(User.email == "new.fp@example.org")).one()
    assert user.password_hash is not None


def test_a_new_link_for_an_existing_user_is_mailed(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    user = make_user(session, role=Role.preparer, email="preparer@example.org")
    page = post_form(client, f"/admin/users/{user.id}/password-link")
    assert page.status_code == 200
    assert "has been sent to preparer@example.org" in page.text and "/set-password/" not in page.text
    (letter,) = outbox(session, "preparer@example.org")
    assert letter.subject == "GCM regional review: a new link to set your password"
    assert "Earlier links no longer work" in letter.body and MAILED_LINK.search(letter.body)


def test_an_accepted_stakeholder_is_mailed_the_link(client: TestClient, session: Session) -> None:
    record = organisations.request_to_join(
        session,
        organisation_name="Mail Test Network",
        organisation_type="civil_society",
        country="",
        website="",
        contact_name="Ana Reyes",
        email="ana.reyes@example.org",
        motivation="To take part.",
        ip_address="test",
    )
    sign_in(client, make_user(session, role=Role.secretariat))
    page = post_form(client, f"/organisations/requests/{record.id}/accept", {"version": record.version})
    assert page.status_code == 200, page.text
    assert "has been sent to ana.reyes@example.org" in page.text and "/set-password/" not in page.text
    accepted, invitation = outbox(session, "ana.reyes@example.org")
    assert "accepted" in accepted.subject and not accepted.secret
    match = MAILED_LINK.search(invitation.body)
    assert invitation.secret and match
    set_password_with(client, match.group(1))
