"""Test data of the API tests: a bearer token header for a user of a role; a country's review in a given status."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.cycles.models import ReviewCycle
from app.submissions.models import Submission, SubmissionStatus
from tests.factories import make_submission, make_token, make_user


def auth_for(session: Session, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, user=user)}"}


def auth(session: Session, role: Role, country: str | None = None) -> dict[str, str]:
    return auth_for(session, make_user(session, role=role, country=country))


def review(
    session: Session, iso3: str, status: SubmissionStatus = SubmissionStatus.draft, *, cycle: ReviewCycle | None = None
) -> tuple[Submission, User]:
    """A country's review (started by a focal point of the country, returned with them) put in ``status``."""
    focal = make_user(session, role=Role.focal_point, country=iso3)
    submission = make_submission(session, focal_point=focal, cycle=cycle)
    submission.status = status
    session.flush()
    return submission, focal
