"""The audit log viewer: who changed what and when, filters (user, kind of record, record, dates), keyset pages,
clear messages for bad filters, no secrets shown, administrators only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role, User
from app.db import utcnow
from tests.factories import make_user, post_form, sign_in

EVENT = re.compile(r'<tr class="audit-event" data-event="(\d+)">(.*?)</tr>', re.S)


def events(html: str) -> list[tuple[int, str]]:
    return [(int(event_id), cells) for event_id, cells in EVENT.findall(html)]


@pytest.fixture
def admin(client: TestClient, session: Session) -> User:
    user = make_user(session, role=Role.admin)
    user.name = "Ada Admin"
    session.flush()
    sign_in(client, user)
    return user


def add_events(session: Session, count: int, *, entity_type: str = "sample_thing", days_ago: int = 0) -> None:
    when = utcnow() - timedelta(days=days_ago)
    session.add_all(
        AuditEvent(
            occurred_at=when,
            action=AuditAction.update,
            entity_type=entity_type,
            entity_id=str(n),
            before={"title": f"Old {n}"},
            after={"title": f"New {n}"},
        )
        for n in range(count)
    )
    session.flush()


def test_an_administrators_change_is_listed_with_who_what_when_and_the_values(
    client: TestClient, session: Session, admin: User
) -> None:
    user = make_user(session, role=Role.preparer)
    user.name = "Paul Preparer"
    session.flush()
    saved = post_form(
        client,
        f"/admin/users/{user.id}",
        {"name": "Paula Preparer", "role": "preparer", "country": "", "version": user.version},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get("/admin/audit", params={"entity_type": "user_account", "entity_id": str(user.id)})
    assert page.status_code == 200
    listed = events(page.text)
    assert listed, page.text
    newest = listed[0][1]
    assert "Ada Admin" in newest and admin.email in newest
    assert "changed" in newest and "<code>user_account</code>" in newest
    assert "<dt>Name</dt>" in newest and "<del" in newest and "Paula" in newest
    assert 'aria-current="page">Audit log</a>' in page.text  # the admin navigation names the page


def test_password_and_token_hashes_are_never_shown(client: TestClient, session: Session, admin: User) -> None:
    user = make_user(session, role=Role.preparer, password="a long enough password 1")
    page = client.get("/admin/audit", params={"entity_type": "user_account", "entity_id": str(user.id)})
    assert events(page.text)
    assert user.password_hash and user.password_hash not in page.text
    assert "Password hash" not in page.text and "password_hash" not in page.text and "$argon2" not in page.text


def test_filters_by_user_system_kind_record_and_dates(client: TestClient, session: Session, admin: User) -> None:
    add_events(session, 3, entity_type="sample_thing", days_ago=10)
    add_events(session, 2, entity_type="other_thing", days_ago=1)
    today = utcnow().date()

    by_kind = events(client.get("/admin/audit", params={"entity_type": "other_thing"}).text)
    assert len(by_kind) == 2 and all("<code>other_thing</code>" in cells for _id, cells in by_kind)
    one = events(client.get("/admin/audit", params={"entity_type": "sample_thing", "entity_id": "1"}).text)
    assert len(one) == 1 and 'removed">Old</del><ins aria-label="added">New</ins> 1' in one[0][1]
    older = {"entity_type": "sample_thing", "date_to": (today - timedelta(days=5)).isoformat()}
    assert len(events(client.get("/admin/audit", params=older).text)) == 3
    recent = {"entity_type": "sample_thing", "date_from": (today - timedelta(days=5)).isoformat()}
    assert events(client.get("/admin/audit", params=recent).text) == []
    one_day = {"date_from": (today - timedelta(days=1)).isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    that_day = events(client.get("/admin/audit", params=one_day).text)
    assert len(that_day) == 2 and all("<code>other_thing</code>" in cells for _id, cells in that_day)
    system = events(client.get("/admin/audit", params={"user": "system", "entity_type": "other_thing"}).text)
    assert len(system) == 2 and "System" in system[0][1]
    mine = events(client.get("/admin/audit", params={"user": str(admin.id), "entity_type": "other_thing"}).text)
    assert mine == []


def test_pages_of_fifty_newest_first_with_links_older_and_newest(
    client: TestClient, session: Session, admin: User
) -> None:
    add_events(session, 60)
    first = client.get("/admin/audit", params={"entity_type": "sample_thing"})
    listed = events(first.text)
    assert len(listed) == 50
    ids = [event_id for event_id, _cells in listed]
    assert ids == sorted(ids, reverse=True)
    older = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert older is not None and "entity_type=sample_thing" in older.group(1)
    assert "Newest events" not in first.text
    second = client.get(older.group(1).replace("&amp;", "&"))
    rest = [event_id for event_id, _cells in events(second.text)]
    assert len(rest) == 10 and max(rest) < min(ids)
    assert 'rel="next"' not in second.text and "Newest events" in second.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"user": "not-a-user"}, "user", "Choose a user from the list, or the system."),
        ({"user": "99999999"}, "user", "Choose a user from the list, or the system."),
        ({"entity_type": "no_such_table"}, "entity_type", "Choose a kind of record from the list."),
        ({"entity_id": "12"}, "entity_id", "Choose the kind of record too"),
        ({"date_from": "2026-13-01"}, "date_from", "Enter a date as YYYY-MM-DD"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to", "The end date must be on or after"),
        ({"before": "abc"}, "before", "This page of the log does not exist."),
    ],
)
def test_a_bad_filter_is_a_422_with_the_message_beside_its_field(
    client: TestClient, session: Session, admin: User, params: dict[str, str], field: str, message: str
) -> None:
    page = client.get("/admin/audit", params=params)
    assert page.status_code == 422
    assert message in page.text
    if field != "before":
        assert f'id="{field}-error"' in page.text and f'href="#{field}"' in page.text
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page.text)
    if field in ("entity_id", "date_from", "date_to"):
        assert f'value="{params[field]}"' in page.text  # what was typed is kept
    assert events(page.text) == []


@pytest.mark.parametrize("role", [Role.secretariat, Role.focal_point, Role.preparer, Role.stakeholder])
def test_only_administrators_read_the_audit_log(client: TestClient, session: Session, role: Role) -> None:
    sign_in(client, make_user(session, role=role, country="PHL" if role is Role.focal_point else None))
    assert client.get("/admin/audit").status_code == 403
