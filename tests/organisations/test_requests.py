"""Organisations asking to take part: the public form, the secretariat's decisions, the stakeholder's sign-in."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.notifications import mail
from app.organisations import service
from app.organisations.models import Organisation, OrganisationRequest, RequestStatus
from tests.factories import make_organisation, make_submission, make_user, post_form, sign_in

LINK = re.compile(r"https://127\.0\.0\.1/set-password/([A-Za-z0-9_\-]+)")


def join_form(**overrides: str) -> dict[str, str]:
    return {
        "organisation_name": "Migrant Workers' Solidarity Network",
        "organisation_type": "migrant_org",
        "country": "PHL",
        "website": "https://example.org/mwsn",
        "contact_name": "Ana Reyes",
        "email": "Ana.Reyes@Example.org",
        "motivation": "We support migrant domestic workers and would like to report on objectives 6 and 16.",
        **overrides,
    }


def requests_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(OrganisationRequest)) or 0


def send(client: TestClient, **overrides: str):
    return post_form(client, "/organisations/join", join_form(**overrides), follow_redirects=False)


def only_request(session: Session) -> OrganisationRequest:
    session.expire_all()
    return session.scalars(select(OrganisationRequest)).one()


def signed_in_secretariat(client: TestClient, session: Session) -> User:
    reviewer = make_user(session, role=Role.secretariat)
    sign_in(client, reviewer)
    return reviewer


def test_the_public_form_opens_without_signing_in_and_shows_its_limits(client: TestClient) -> None:
    page = client.get("/organisations/join")
    assert page.status_code == 200
    assert "At most 2,000 characters." in page.text and 'maxlength="2000"' in page.text
    assert "UN entity (Regional UN Network on Migration)" in page.text
    assert 'href="/organisations/join"' in client.get("/").text


def test_request_accept_password_link_and_sign_in_as_the_stakeholder(client: TestClient, session: Session) -> None:
    sent = send(client)
    assert sent.status_code == 303 and sent.headers["location"] == "/organisations/join?sent=true"
    assert "your request has been received" in client.get(sent.headers["location"]).text
    record = only_request(session)
    assert record.status is RequestStatus.pending and record.email == "ana.reyes@example.org"

    reviewer = signed_in_secretariat(client, session)
    listed = client.get("/organisations/requests")
    assert listed.status_code == 200 and "Migrant Workers&#39; Solidarity Network" in listed.text
    assert 'href="/organisations/requests"' in listed.text  # in the navigation
    detail = client.get(f"/organisations/requests/{record.id}")
    assert "will be created" in detail.text
    accepted = post_form(client, f"/organisations/requests/{record.id}/accept", {"version": record.version})
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["cache-control"] == "no-store"
    match = LINK.search(accepted.text)
    assert match, accepted.text

    record = only_request(session)
    assert record.status is RequestStatus.accepted
    assert record.decided_by_id == reviewer.id and record.decided_at is not None
    organisation = session.scalars(select(Organisation)).one()
    assert organisation.name == "Migrant Workers' Solidarity Network" and organisation.country_id is not None
    user = session.scalars(select(User).where(User.email == "ana.reyes@example.org")).one()
    assert user.role is Role.stakeholder and user.organisation_id == organisation.id and user.password_hash is None
    assert record.user_id == user.id and record.organisation_id == organisation.id
    audited = session.scalars(
        select(AuditEvent.entity_type).where(AuditEvent.entity_id.in_([str(record.id), str(user.id)]))
    ).all()
    assert {"organisation_request", "user_account"} <= set(audited)

    client.cookies.clear()
    password = "a long stakeholder password"
    done = post_form(
        client, f"/set-password/{match.group(1)}", {"new_password": password, "confirm_password": password}
    )
    assert done.status_code in (200, 303)
    response = post_form(client, "/login", {"email": user.email, "password": password}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/my/organisation"
    home = client.get("/my/organisation")
    assert home.status_code == 200
    assert (
        "Migrant Workers&#39; Solidarity Network" in home.text and "Migrants&#39; or diaspora organisation" in home.text
    )
    assert "Stakeholder" in home.text


def test_accepting_uses_the_existing_organisation_of_that_name(client: TestClient, session: Session) -> None:
    existing = make_organisation(session, name="Migrant Workers' Solidarity Network")
    send(client, organisation_name="migrant workers' SOLIDARITY network")
    record = only_request(session)
    signed_in_secretariat(client, session)
    assert "exists already" in client.get(f"/organisations/requests/{record.id}").text
    accepted = post_form(client, f"/organisations/requests/{record.id}/accept", {"version": record.version})
    assert accepted.status_code == 200 and "existed already" in accepted.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Organisation)) == 1
    user = session.scalars(select(User).where(User.role == Role.stakeholder)).one()
    assert user.organisation_id == existing.id


def test_decline_needs_a_reason_and_records_it(client: TestClient, session: Session) -> None:
    send(client)
    record = only_request(session)
    reviewer = signed_in_secretariat(client, session)
    refused = post_form(
        client, f"/organisations/requests/{record.id}/decline", {"reason": "  ", "version": record.version}
    )
    assert refused.status_code == 422 and "Give the reason" in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert only_request(session).status is RequestStatus.pending
    declined = post_form(
        client,
        f"/organisations/requests/{record.id}/decline",
        {"reason": "Outside the region's review.", "version": record.version},
        follow_redirects=False,
    )
    assert declined.status_code == 303
    record = only_request(session)
    assert record.status is RequestStatus.declined and record.decision_reason == "Outside the region's review."
    assert record.decided_by_id == reviewer.id and record.decided_at is not None
    assert session.scalar(select(func.count()).select_from(User).where(User.role == Role.stakeholder)) == 0
    page = client.get(f"/organisations/requests/{record.id}")
    assert "Outside the region&#39;s review." in page.text and "Accept the request" not in page.text
    again = post_form(client, f"/organisations/requests/{record.id}/accept", {"version": record.version})
    assert again.status_code == 409 and "answered already" in again.text
    assert only_request(session).status is RequestStatus.declined


def test_the_requester_is_told_by_mail(session: Session) -> None:
    reviewer = make_user(session, role=Role.secretariat)
    declined = service.request_to_join(session, **join_form(), ip_address="198.51.100.1")
    service.decline_request(session, record=declined, actor=reviewer, reason="Not this year.")
    accepted = service.request_to_join(
        session, **join_form(email="b@example.org", organisation_name="Union B"), ip_address="198.51.100.1"
    )
    service.accept_request(session, record=accepted, actor=reviewer)
    queued = mail.pending(session)  # written to the outbox as the transaction commits
    assert [m.to for m in queued] == ["ana.reyes@example.org", "b@example.org"]
    assert "Not this year." in queued[0].body and "accepted" in queued[1].subject


def test_a_duplicate_of_a_pending_request_is_refused_and_nothing_stored(client: TestClient, session: Session) -> None:
    assert send(client).status_code == 303
    same_email = send(client, organisation_name="Another network", email="ANA.REYES@example.org")
    assert same_email.status_code == 422
    assert "already waiting" in same_email.text and 'value="Another network"' in same_email.text
    same_name = send(client, organisation_name="MIGRANT WORKERS' SOLIDARITY NETWORK", email="other@example.org")
    assert same_name.status_code == 422 and "request for this organisation is already waiting" in same_name.text
    assert requests_count(session) == 1


def test_requests_from_one_address_are_throttled_and_nothing_stored(client: TestClient, session: Session) -> None:
    for n in range(service.REQUESTS_PER_ADDRESS):
        assert send(client, organisation_name=f"Network {n}", email=f"person{n}@example.org").status_code == 303
    refused = send(client, organisation_name="One too many", email="late@example.org")
    assert refused.status_code == 429
    assert "Too many requests" in refused.text and 'value="One too many"' in refused.text
    assert requests_count(session) == service.REQUESTS_PER_ADDRESS


def test_bad_input_is_refused_beside_each_field_and_everything_typed_kept(client: TestClient, session: Session) -> None:
    response = send(
        client,
        organisation_name="  ",
        organisation_type="government",
        country="XXX",
        website="example dot org",
        contact_name="Ana Reyes",
        email="not-an-address",
        motivation="x" * (service.MOTIVATION_MAX + 1),
    )
    assert response.status_code == 422
    for field in ("organisation_name", "organisation_type", "country", "website", "email", "motivation"):
        assert f'id="{field}-error"' in response.text, field
    assert 'value="example dot org"' in response.text and 'value="not-an-address"' in response.text
    assert 'value="Ana Reyes"' in response.text and "x" * 50 in response.text
    assert f"you wrote {service.MOTIVATION_MAX + 1}" in response.text
    assert requests_count(session) == 0


def test_only_the_secretariat_and_administrators_decide(client: TestClient, session: Session) -> None:
    record = service.request_to_join(session, **join_form(), ip_address="198.51.100.2")
    for role in (Role.focal_point, Role.preparer, Role.stakeholder):
        sign_in(client, make_user(session, role=role))
        assert client.get("/organisations/requests").status_code == 403
        assert post_form(client, f"/organisations/requests/{record.id}/accept", {}).status_code == 403
        client.cookies.clear()
    admin = make_user(session, role=Role.admin)
    sign_in(client, admin)
    assert client.get("/organisations/requests").status_code == 200
    assert 'href="/organisations/requests"' in client.get("/admin/users").text


def test_a_stakeholder_never_sees_a_states_draft_and_secretariat_pages_are_forbidden(
    client: TestClient, session: Session
) -> None:
    draft = make_submission(session)
    stakeholder = make_user(session, role=Role.stakeholder)
    sign_in(client, stakeholder)
    assert client.get(f"/submissions/{draft.id}").status_code == 404
    for page in ("/review", "/admin/users", "/admin/cycles", "/organisations/requests", "/my"):
        assert client.get(page, follow_redirects=False).status_code == 403, page
    assert client.get("/dashboards").status_code == 200
    assert client.get("/my/organisation").status_code == 200
