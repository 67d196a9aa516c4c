"""The review-cycle administration pages: plan, edit, open and close (one open at a time), validation, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role
from app.cycles import service
from app.cycles.models import CycleStatus, ReviewCycle
from app.cycles.schemas import CycleForm
from app.db import utcnow
from app.errors import Conflict
from tests.factories import make_cycle, make_user, sign_in
from tests.factories import post_form as _post_form


def post_form(client: TestClient, url: str, data: dict[str, object] | None = None):
    return _post_form(client, url, data, follow_redirects=False)


def sign_in_admin(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))


def cycle_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Regional review 2029",
        "description": "Voluntary GCM reviews for the 2030 IMRF.",
        "opens_on": "2029-01-15",
        "deadline": "2029-06-30",
        "closes_on": "2029-09-30",
    }
    return {**data, **overrides}


def cycle_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReviewCycle)) or 0


def load(session: Session, cycle_id: int) -> ReviewCycle:
    session.expire_all()
    cycle = session.get(ReviewCycle, cycle_id)
    assert cycle is not None
    return cycle


def test_admin_plans_a_cycle_and_sees_it_listed(client: TestClient, session: Session) -> None:
    sign_in_admin(client, session)
    response = post_form(client, "/admin/cycles", cycle_form(name="  Regional review   2029 "))
    assert response.status_code == 303 and response.headers["location"] == "/admin/cycles?done=created"
    cycle = session.scalars(select(ReviewCycle).where(ReviewCycle.name == "Regional review 2029")).one()
    assert cycle.status is CycleStatus.planned
    assert cycle.opens_on == date(2029, 1, 15)
    assert (cycle.deadline, cycle.closes_on) == (date(2029, 6, 30), date(2029, 9, 30))
    page = client.get(response.headers["location"])
    assert "Regional review 2029" in page.text and "2029-06-30" in page.text and "Planned" in page.text


def test_list_shows_days_left_to_the_deadline(client: TestClient, session: Session) -> None:
    sign_in_admin(client, session)
    make_cycle(session, status=CycleStatus.open, days_to_deadline=12)
    make_cycle(session, status=CycleStatus.planned, days_to_deadline=-3)
    page = client.get("/admin/cycles")
    assert page.status_code == 200
    assert "12 days" in page.text and "Passed 3 days ago" in page.text


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"deadline": "2029-01-01"}, "deadline", "The deadline must be on or after the opening date"),
        ({"closes_on": "2029-06-29"}, "closes_on", "The closing date must be on or after the deadline"),
        ({"opens_on": ""}, "opens_on", "Enter the date the cycle opens"),
        ({"deadline": "30/06/2029"}, "deadline", "Enter the deadline for submissions"),
    ],
)
def test_dates_out_of_order_or_missing_are_refused_beside_the_field(
    client: TestClient, session: Session, dates: dict[str, str], field: str, message: str
) -> None:
    sign_in_admin(client, session)
    before = cycle_count(session)
    response = post_form(client, "/admin/cycles", cycle_form(**dates))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert 'value="Regional review 2029"' in response.text
    for value in dates.values():
        assert f'value="{value}"' in response.text  # what was typed comes back as typed
    assert cycle_count(session) == before


def test_a_cycle_name_is_used_once(client: TestClient, session: Session) -> None:
    sign_in_admin(client, session)
    existing = make_cycle(session)
    before = cycle_count(session)
    response = post_form(client, "/admin/cycles", cycle_form(name=existing.name.upper(), description=""))
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and "already called" in response.text
    assert cycle_count(session) == before


def test_admin_edits_the_dates_of_a_cycle(client: TestClient, session: Session) -> None:
    sign_in_admin(client, session)
    cycle = make_cycle(session, status=CycleStatus.open)
    page = client.get(f"/admin/cycles/{cycle.id}")
    assert page.status_code == 200 and f'name="version" value="{cycle.version}"' in page.text
    new_deadline = (cycle.deadline + timedelta(days=14)).isoformat()
    form = {**CycleForm.of(cycle).model_dump(), "deadline": new_deadline, "version": cycle.version}
    response = post_form(client, f"/admin/cycles/{cycle.id}", form)
    assert response.status_code == 303
    assert load(session, cycle.id).deadline.isoformat() == new_deadline
    assert "The changes have been saved." in client.get(response.headers["location"]).text


def test_editing_keeps_the_date_order(client: TestClient, session: Session) -> None:
    sign_in_admin(client, session)
    cycle = make_cycle(session)
    form = {**CycleForm.of(cycle).model_dump(), "closes_on": cycle.opens_on.isoformat(), "version": cycle.version}
    response = post_form(client, f"/admin/cycles/{cycle.id}", form)
    assert response.status_code == 422 and 'id="closes_on-error"' in response.text
    assert load(session, cycle.id).closes_on != cycle.opens_on


def test_stale_cycle_edit_is_refused(client: TestClient, session: Session) -> None:
    sign_in_admin(client, session)
    cycle = make_cycle(session)
    loaded = cycle.version
    theirs = CycleForm.of(cycle).model_copy(update={"name": "Theirs"})
    service.update_cycle(session, cycle=cycle, form=theirs, version=loaded)
    form = {**CycleForm.of(cycle).model_dump(), "name": "Mine", "version": loaded}
    response = post_form(client, f"/admin/cycles/{cycle.id}", form)
    assert response.status_code == 409
    assert "Someone else changed this review cycle" in response.text
    assert "Theirs" in response.text and 'value="Mine"' in response.text
    assert load(session, cycle.id).name == "Theirs"


def test_only_one_cycle_can_be_open(client: TestClient, session: Session) -> None:
    sign_in_admin(client, session)
    current = make_cycle(session, status=CycleStatus.open)
    planned = make_cycle(session, status=CycleStatus.planned)
    refused = post_form(client, f"/admin/cycles/{planned.id}/open")
    assert refused.status_code == 409
    assert f"{current.name} is open" in refused.text and "only one review cycle can be open" in refused.text
    assert load(session, planned.id).status is CycleStatus.planned
    assert post_form(client, f"/admin/cycles/{current.id}/close").status_code == 303
    assert load(session, current.id).status is CycleStatus.closed
    opened = post_form(client, f"/admin/cycles/{planned.id}/open")
    assert opened.status_code == 303 and opened.headers["location"] == "/admin/cycles?done=opened"
    assert load(session, planned.id).status is CycleStatus.open


def test_a_planned_cycle_cannot_be_closed(session: Session) -> None:
    planned = make_cycle(session, status=CycleStatus.planned)
    with pytest.raises(Conflict):
        service.close_cycle(session, cycle=planned)


def test_opening_the_open_cycle_again_changes_nothing(session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.open)
    version = cycle.version
    service.open_cycle(session, cycle=cycle)
    assert cycle.status is CycleStatus.open and cycle.version == version


@pytest.mark.parametrize("role", [Role.focal_point, Role.secretariat, Role.preparer])
def test_other_roles_cannot_open_or_change_cycles(client: TestClient, session: Session, role: Role) -> None:
    sign_in(client, make_user(session, role=role))
    cycle = make_cycle(session, status=CycleStatus.planned)
    assert client.get(f"/admin/cycles/{cycle.id}").status_code == 403
    assert post_form(client, f"/admin/cycles/{cycle.id}/open").status_code == 403
    assert post_form(client, "/admin/cycles", cycle_form()).status_code == 403
    assert load(session, cycle.id).status is CycleStatus.planned


def test_signed_out_cannot_open_a_cycle(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    response = post_form(client, f"/admin/cycles/{cycle.id}/open")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert load(session, cycle.id).status is CycleStatus.planned


def test_cycle_changes_are_recorded_with_the_admin_as_actor(client: TestClient, session: Session) -> None:
    admin = make_user(session, role=Role.admin)
    sign_in(client, admin)
    post_form(client, "/admin/cycles", cycle_form())
    cycle = session.scalars(select(ReviewCycle).where(ReviewCycle.name == "Regional review 2029")).one()
    post_form(client, f"/admin/cycles/{cycle.id}/open")
    post_form(client, f"/admin/cycles/{cycle.id}/close")
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "review_cycle", AuditEvent.entity_id == str(cycle.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [AuditAction.create, AuditAction.update, AuditAction.update]
    assert {e.user_id for e in events} == {admin.id}
    assert [e.after["status"] for e in events if e.after] == ["planned", "open", "closed"]
    page = client.get(f"/admin/cycles/{cycle.id}")
    assert page.status_code == 200 and "history__entry" in page.text


def test_days_to_deadline_counts_from_today(session: Session) -> None:
    cycle = make_cycle(session, days_to_deadline=5)
    assert service.days_to_deadline(cycle, utcnow().date()) == 5
