"""The indicators API: aggregates (the pages' computation), the list, and values limited to the token's user."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.indicators.models import Sex
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_token, make_user
from tests.indicators.helpers import make_value


def _auth(session: Session, role: Role = Role.secretariat) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, user=make_user(session, role=role))}"}


def test_aggregate_covers_the_region_only(client: TestClient, session: Session) -> None:
    for iso3, value in {"CHN": 1000.0, "THA": 30.0, "USA": 5e7}.items():
        make_value(session, code="10.7.3", country=iso3, period="2020", value=value)
    make_value(session, code="10.7.3", country="THA", period="2020", value=12.0, sex=Sex.female)
    response = client.get("/api/v1/indicators/10.7.3/aggregate?period=2020", headers=_auth(session))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["indicator"] == "10.7.3" and body["period"] == "2020" and body["method"] == "sum"
    assert body["region"] == {"value": 1030.0, "countries_reporting": 2, "countries_expected": 58}
    assert body["subregions"][0]["name"] == "East and North-East Asia"
    assert sum(s["value"] or 0 for s in body["subregions"]) == body["region"]["value"]
    assert sum(s["countries_expected"] for s in body["subregions"]) == 58
    female = client.get("/api/v1/indicators/10.7.3/aggregate?period=2020&sex=female", headers=_auth(session)).json()
    assert female["region"]["value"] == 12.0


def test_aggregate_errors_are_documented_json(client: TestClient, session: Session) -> None:
    headers = _auth(session)
    missing = client.get("/api/v1/indicators/NOPE/aggregate?period=2020", headers=headers)
    assert missing.status_code == 404 and "message" in missing.json()
    assert client.get("/api/v1/indicators/10.7.3/aggregate", headers=headers).status_code == 422
    assert client.get("/api/v1/indicators/10.7.3/aggregate?period=2020&sex=x", headers=headers).status_code == 422
    assert client.get("/api/v1/indicators/10.7.3/aggregate?period=2020").status_code == 401
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/indicators/{code}/aggregate"]["get"]
    assert {"200", "401", "404", "422"} <= set(operation["responses"])


def test_indicator_list(client: TestClient, session: Session) -> None:
    body = client.get("/api/v1/indicators", headers=_auth(session)).json()
    by_code = {i["code"]: i for i in body}
    assert by_code["10.7.3"]["method"] == "sum"
    assert by_code["10.7.1"]["method"] == "mean"


def test_values_are_paginated_and_limited_to_what_the_user_may_read(client: TestClient, session: Session) -> None:
    for period in ("2018", "2019", "2020"):
        make_value(session, code="10.7.3", country="THA", period=period, value=1.0)
        make_value(session, code="10.7.3", country="CHN", period=period, value=2.0)
    submission_with_status(session, "THA", SubmissionStatus.published)
    submission_with_status(session, "CHN", SubmissionStatus.draft)
    everything = client.get("/api/v1/indicators/10.7.3/values?limit=2&offset=1", headers=_auth(session)).json()
    assert everything["total"] == 6 and len(everything["items"]) == 2
    preparer = _auth(session, Role.preparer)
    seen = client.get("/api/v1/indicators/10.7.3/values", headers=preparer).json()
    assert {v["country"] for v in seen["items"]} == {"THA"} and seen["total"] == 3
    one = client.get("/api/v1/indicators/10.7.3/values?country=tha&period=2019", headers=preparer).json()
    assert [(v["country"], v["period"], v["value"]) for v in one["items"]] == [("THA", "2019", 1.0)]
    aggregate = client.get("/api/v1/indicators/10.7.3/aggregate?period=2020", headers=preparer).json()
    assert aggregate["region"]["value"] == 1.0  # the draft State's value stays out
