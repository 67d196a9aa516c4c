"""API v1 commitments: what a token's user may read, filters and pages, and JSON errors."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.catalog.models import Country
from app.commitments.models import Commitment
from tests.factories import make_token, make_user


def _pledge(session: Session, iso3: str, reference: str) -> Commitment:
    country_id = session.scalars(select(Country.id).where(Country.iso3 == iso3)).one()
    commitment = Commitment(reference=reference, country_id=country_id, title=f"Pledge {reference}",
                            description="A pledge.")  # fmt: skip
    session.add(commitment)
    session.flush()
    return commitment


def _auth(session: Session, role: Role, country: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, user=make_user(session, role=role, country=country))}"}


def test_secretariat_lists_all_with_total_and_pages(client: TestClient, session: Session) -> None:
    for n in range(3):
        _pledge(session, "THA", f"THA-2026-0{n}")
    _pledge(session, "VNM", "VNM-2026-01")
    headers = _auth(session, Role.secretariat)
    page = client.get("/api/v1/commitments?limit=2&offset=0", headers=headers).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    filtered = client.get("/api/v1/commitments?country=vnm", headers=headers).json()
    assert [c["reference"] for c in filtered["items"]] == ["VNM-2026-01"]


def test_focal_point_sees_only_own_country_and_others_are_404(client: TestClient, session: Session) -> None:
    _pledge(session, "THA", "THA-2026-01")
    other = _pledge(session, "VNM", "VNM-2026-01")
    headers = _auth(session, Role.focal_point, "THA")
    page = client.get("/api/v1/commitments", headers=headers).json()
    assert [c["country"] for c in page["items"]] == ["THA"] and page["total"] == 1
    response = client.get(f"/api/v1/commitments/{other.id}", headers=headers)
    assert response.status_code == 404 and "message" in response.json()


def test_no_token_is_401_and_bad_parameters_are_422_json(client: TestClient, session: Session) -> None:
    assert client.get("/api/v1/commitments").status_code == 401
    response = client.get("/api/v1/commitments?limit=0", headers=_auth(session, Role.admin))
    assert response.status_code == 422
    assert response.json()["errors"]
