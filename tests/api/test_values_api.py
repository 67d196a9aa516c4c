"""API v1 indicator value writes: a focal point's own country only, the grid's checks (422 changes nothing), its
optimistic locking (409 changes nothing), and the history recorded as for the grid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.queries import list_history
from app.auth.models import Role
from app.indicators.models import IndicatorValue
from tests.api.helpers import auth, auth_for
from tests.factories import make_user
from tests.indicators.helpers import make_value

URL = "/api/v1/indicators/10.7.3/values"


def new_value(**overrides: Any) -> dict[str, Any]:
    return {"period": "2023", "value": 1250, "status": "provisional", "source": "IOM Missing Migrants", **overrides}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(IndicatorValue)) or 0


def test_focal_point_records_a_value_of_their_country_with_history(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.focal_point, country="THA")
    response = client.post(URL, json=new_value(sex="female", age_group="15-24"), headers=auth_for(session, user))
    assert response.status_code == 201, response.text
    saved = response.json()
    assert (saved["country"], saved["period"], saved["value"], saved["status"]) == ("THA", "2023", 1250, "provisional")
    assert (saved["sex"], saved["age_group"], saved["migratory_status"]) == ("female", "15-24", "total")
    [(event, author)] = list_history(session, entity_type="indicator_value", entity_id=saved["id"])
    assert event.action.value == "create" and author is not None and author.id == user.id
    listed = client.get(f"{URL}?country=THA&period=2023", headers=auth(session, Role.secretariat)).json()
    assert [v["id"] for v in listed["items"]] == [saved["id"]]


def test_gap_needs_a_note_as_in_the_grid(client: TestClient, session: Session) -> None:
    headers = auth(session, Role.focal_point, "THA")
    refused = client.post(URL, json=new_value(value=None), headers=headers)
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["note"]
    recorded = client.post(URL, json=new_value(value=None, note="Not collected in 2023."), headers=headers)
    assert recorded.status_code == 201 and recorded.json()["value"] is None


def test_invalid_cells_are_422_naming_each_field_and_save_nothing(client: TestClient, session: Session) -> None:
    headers = auth(session, Role.focal_point, "THA")
    before = _count(session)
    response = client.post(URL, json=new_value(period="23", value=2.5, source=""), headers=headers)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"period", "value", "source"}
    negative = client.post(URL, json=new_value(value=-3), headers=headers)
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "value"
    breakdown = client.post(URL, json=new_value(sex="unknown"), headers=headers)
    assert breakdown.status_code == 422 and breakdown.json()["errors"][0]["field"] == "sex"
    status = client.post(URL, json=new_value(status="guess"), headers=headers)
    assert status.status_code == 422 and status.json()["errors"][0]["field"] == "status"
    nul = client.post(URL, json=new_value(source="IOM\x00"), headers=headers)
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "source"
    assert _count(session) == before


def test_a_period_already_recorded_is_409(client: TestClient, session: Session) -> None:
    make_value(session, country="THA", period="2023", value=10)
    response = client.post(URL, json=new_value(), headers=auth(session, Role.focal_point, "THA"))
    assert response.status_code == 409 and "2023" in response.json()["message"]


def test_only_a_focal_point_records_values(client: TestClient, session: Session) -> None:
    before = _count(session)
    for role in (Role.secretariat, Role.admin, Role.preparer):
        response = client.post(URL, json=new_value(), headers=auth(session, role))
        assert response.status_code == 403, role
    assert client.post(URL, json=new_value()).status_code == 401
    assert _count(session) == before


def test_update_with_the_version_read_then_a_stale_version_is_409(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.focal_point, country="THA")
    value = make_value(session, country="THA", period="2022", value=10)
    headers = auth_for(session, user)
    read = value.version
    change = {"value": 12, "status": "final", "source": "Revised count", "version": read}
    first = client.put(f"{URL}/{value.id}", json=change, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["value"] == 12 and first.json()["version"] == read + 1
    latest, _author = list_history(session, entity_type="indicator_value", entity_id=value.id)[0]
    assert latest.action.value == "update" and latest.user_id == user.id
    stale = client.put(f"{URL}/{value.id}", json={**change, "value": 99}, headers=headers)
    assert stale.status_code == 409 and stale.json()["message"]
    session.refresh(value)
    assert value.value == 12 and value.version == read + 1


def test_invalid_update_is_422_and_changes_nothing(client: TestClient, session: Session) -> None:
    value = make_value(session, country="THA", period="2022", value=10)
    change = {"value": -1, "status": "final", "source": "Revised", "version": value.version}
    response = client.put(f"{URL}/{value.id}", json=change, headers=auth(session, Role.focal_point, "THA"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "value"
    session.refresh(value)
    assert value.value == 10 and value.source == "IOM Missing Migrants Project"


def test_another_countrys_value_is_404_to_a_focal_point_and_403_to_others(client: TestClient, session: Session) -> None:
    value = make_value(session, country="VNM", period="2022", value=10)
    change = {"value": 11, "status": "final", "source": "Mine now", "version": value.version}
    url = f"{URL}/{value.id}"
    assert client.put(url, json=change, headers=auth(session, Role.focal_point, "THA")).status_code == 404
    assert client.put(url, json=change, headers=auth(session, Role.secretariat)).status_code == 403
    wrong_indicator = f"/api/v1/indicators/10.7.1/values/{value.id}"
    assert client.put(wrong_indicator, json=change, headers=auth(session, Role.focal_point, "VNM")).status_code == 404
    session.refresh(value)
    assert value.value == 10 and value.version == 1


def test_delete_with_the_version_read_removes_a_value_a_stale_one_is_409(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.focal_point, country="THA")
    value = make_value(session, country="THA", period="2021", value=10)
    other = make_value(session, country="VNM", period="2021", value=20)
    headers = auth_for(session, user)
    before = _count(session)
    stale = client.delete(f"{URL}/{value.id}", params={"version": value.version + 1}, headers=headers)
    assert stale.status_code == 409 and stale.json()["message"]
    assert client.delete(f"{URL}/{other.id}", params={"version": 1}, headers=headers).status_code == 404
    secretariat = auth(session, Role.secretariat)
    assert client.delete(f"{URL}/{value.id}", params={"version": 1}, headers=secretariat).status_code == 403
    assert client.delete(f"{URL}/{value.id}", headers=headers).status_code == 422  # the version is required
    assert _count(session) == before
    value_id = value.id
    removed = client.delete(f"{URL}/{value_id}", params={"version": value.version}, headers=headers)
    assert removed.status_code == 204 and removed.content == b""
    assert _count(session) == before - 1
    latest, _author = list_history(session, entity_type="indicator_value", entity_id=value_id)[0]
    assert latest.action.value == "delete" and latest.user_id == user.id
    again = client.delete(f"{URL}/{value_id}", params={"version": 1}, headers=headers)
    assert again.status_code == 404


def test_openapi_declares_the_error_answers_of_every_write(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    writes = [
        paths["/api/v1/commitments"]["post"],
        paths["/api/v1/commitments/{commitment_id}"]["put"],
        paths["/api/v1/indicators/{code}/values"]["post"],
        paths["/api/v1/indicators/{code}/values/{value_id}"]["put"],
        paths["/api/v1/indicators/{code}/values/{value_id}"]["delete"],
    ]
    for operation in writes:
        assert {"401", "403", "409", "422"} <= set(operation["responses"])
        assert operation["security"] == [{"HTTPBearer": []}]
        error = operation["responses"]["409"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "404" in paths["/api/v1/submissions/{submission_id}/objectives/{number}"]["get"]["responses"]


def test_an_offset_beyond_any_page_is_422_not_a_server_error(client: TestClient, session: Session) -> None:
    response = client.get(f"{URL}?offset=9223372036854775808", headers=auth(session, Role.secretariat))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "offset"
