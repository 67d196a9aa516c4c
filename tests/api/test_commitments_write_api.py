"""API v1 pledge writes: a focal point's own country only, the form's checks (422 changes nothing), the form's
optimistic locking (409 on a stale version changes nothing), and the history recorded as for the pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.audit.queries import list_history
from app.auth.models import Role
from app.commitments import queries
from app.commitments.models import Commitment
from tests.api.helpers import auth, auth_for
from tests.commitments.helpers import accept_review_of, api_body, focal_point, form_data, make_commitment


def body(**overrides: Any) -> dict[str, Any]:
    """A valid pledge as an API client sends it (objectives as numbers)."""
    return api_body(**overrides)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Commitment)) or 0


def test_focal_point_records_a_pledge_of_their_country_with_history(client: TestClient, session: Session) -> None:
    user = focal_point(session, "THA")
    response = client.post("/api/v1/commitments", json=body(), headers=auth_for(session, user))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["country"] == "THA" and created["reference"].startswith("THA-")
    assert created["objectives"] == [3, 6] and created["principles"] == ["a", "d"] and created["version"] == 1
    events = list_history(session, entity_type="commitment", entity_id=created["id"])
    assert [(e.action.value, u.id if u else None) for e, u in events] == [("create", user.id)]


def test_invalid_pledge_is_422_naming_every_field_and_saves_nothing(client: TestClient, session: Session) -> None:
    headers = auth(session, Role.focal_point, "THA")
    before = _count(session)
    response = client.post(
        "/api/v1/commitments",
        json=body(description="Too short.", main_objectives=[], timeframe_end="2020-01-01", pledge_type="partnership"),
        headers=headers,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"description", "main_objectives", "timeframe_end", "partners"} <= fields
    assert response.json()["message"]
    assert _count(session) == before


def test_only_a_focal_point_records_pledges(client: TestClient, session: Session) -> None:
    before = _count(session)
    for role in (Role.secretariat, Role.admin, Role.preparer):
        response = client.post("/api/v1/commitments", json=body(), headers=auth(session, role))
        assert response.status_code == 403, role
        assert response.json()["message"]
    assert client.post("/api/v1/commitments", json=body()).status_code == 401
    assert _count(session) == before


def test_focal_point_edits_with_the_version_read_and_history_is_recorded(client: TestClient, session: Session) -> None:
    user = focal_point(session, "THA")
    commitment = make_commitment(session, user=user)
    headers = auth_for(session, user)
    read = client.get(f"/api/v1/commitments/{commitment.id}", headers=headers).json()
    response = client.put(
        f"/api/v1/commitments/{commitment.id}",
        json=body(title="Resource centres in ten provinces", version=read["version"]),
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Resource centres in ten provinces"
    assert response.json()["version"] == read["version"] + 1
    latest, _user = list_history(session, entity_type="commitment", entity_id=commitment.id)[0]
    assert latest.action.value == "update" and latest.user_id == user.id
    assert latest.after and latest.after["title"] == "Resource centres in ten provinces"


def test_stale_version_is_409_and_changes_nothing(client: TestClient, session: Session) -> None:
    user = focal_point(session, "THA")
    commitment = make_commitment(session, user=user)
    headers = auth_for(session, user)
    stale = commitment.version
    first = client.put(f"/api/v1/commitments/{commitment.id}", json=body(title="First", version=stale), headers=headers)
    assert first.status_code == 200
    events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    second = client.put(
        f"/api/v1/commitments/{commitment.id}", json=body(title="Second", version=stale), headers=headers
    )
    assert second.status_code == 409 and second.json()["message"]
    saved = queries.get_commitment(session, commitment.id, fresh=True)
    assert saved is not None and saved.title == "First" and saved.version == stale + 1
    assert (session.scalar(select(func.count()).select_from(AuditEvent)) or 0) == events


def test_invalid_edit_is_422_and_changes_nothing(client: TestClient, session: Session) -> None:
    user = focal_point(session, "THA")
    commitment = make_commitment(session, user=user)
    response = client.put(
        f"/api/v1/commitments/{commitment.id}",
        json=body(title="", version=commitment.version),
        headers=auth_for(session, user),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["title"]
    saved = queries.get_commitment(session, commitment.id, fresh=True)
    assert saved is not None and saved.title == form_data()["title"] and saved.version == commitment.version


def test_another_countrys_pledge_is_404_to_a_focal_point_and_403_to_readers(
    client: TestClient, session: Session
) -> None:
    commitment = make_commitment(session, country="VNM")
    accept_review_of(session, "VNM")  # so that preparers may read it
    edit = body(title="Taken over", version=commitment.version)
    url = f"/api/v1/commitments/{commitment.id}"
    assert client.put(url, json=edit, headers=auth(session, Role.focal_point, "THA")).status_code == 404
    for role in (Role.secretariat, Role.preparer):
        assert client.put(url, json=edit, headers=auth(session, role)).status_code == 403, role
    saved = queries.get_commitment(session, commitment.id, fresh=True)
    assert saved is not None and saved.title == form_data()["title"] and saved.version == commitment.version


def test_missing_version_is_422_naming_it(client: TestClient, session: Session) -> None:
    user = focal_point(session, "THA")
    commitment = make_commitment(session, user=user)
    response = client.put(f"/api/v1/commitments/{commitment.id}", json=body(), headers=auth_for(session, user))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["version"]
