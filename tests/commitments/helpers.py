"""Test data for pledges: a valid form, and pledges recorded through the service as a focal point would."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.commitments import queries, service
from app.commitments.models import Commitment
from app.commitments.schemas import CommitmentInput
from app.submissions.models import SubmissionStatus
from tests.factories import make_submission, make_user

DESCRIPTION = (
    "The Ministry of Labour will set up one-stop migrant resource centres in five provinces of origin, offering "
    "pre-departure orientation, information on fair recruitment and a complaints desk. Progress is measured by "
    "the number of centres open and of migrants served each year, reported in the national labour statistics."
)
assert len(DESCRIPTION) >= 300


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid pledge form, as the browser posts it."""
    data: dict[str, Any] = {
        "title": "Migrant resource centres in provinces of origin",
        "description": DESCRIPTION,
        "forms": ["process"],
        "pledge_type": "individual",
        "partners": "",
        "matched_reference": "",
        "external_pledge_id": "",
        "main_objectives": ["3", "6"],
        "objectives": [],
        "principles": ["a", "d"],
        "scope_level": "national",
        "implementation_countries": ["PHL"],
        "scope": "National, starting in five provinces",
        "timeframe_start": "2025-01-01",
        "timeframe_end": "2027-12-31",
        "status": "pledged",
    }
    if "objectives" in overrides and "main_objectives" not in overrides:  # the main ones, as tests name them
        overrides = {**overrides, "main_objectives": overrides["objectives"], "objectives": []}
    return {**data, **overrides}


def focal_point(session: Session, country: str = "PHL") -> User:
    return make_user(session, role=Role.focal_point, country=country)


def make_commitment(
    session: Session, *, user: User | None = None, country: str = "PHL", **overrides: Any
) -> Commitment:
    user = user or focal_point(session, country)
    created = service.create_commitment(session, user=user, data=CommitmentInput(**form_data(**overrides)))
    loaded = queries.get_commitment(session, created.id)
    assert loaded is not None
    return loaded


def accept_review_of(session: Session, country: str, status: SubmissionStatus = SubmissionStatus.approved) -> None:
    """Make the country's voluntary GCM review accepted (preparers may read its pledges) or published (everyone)."""
    submission = make_submission(session, focal_point=focal_point(session, country))
    submission.status = status
    session.flush()


def api_body(**overrides: Any) -> dict[str, Any]:
    """A valid pledge as an API client sends it: objectives as numbers, ``scope`` the choice, its text apart."""
    data = form_data(**overrides)
    data["scope_description"] = data.pop("scope")
    data["scope"] = data.pop("scope_level")
    for name in ("objectives", "main_objectives"):
        data[name] = [int(n) for n in data[name]]
    return data
