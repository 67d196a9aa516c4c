"""Test data of the dashboards: values and accepted submissions written straight to the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.catalog.models import Country
from app.cycles.models import ReviewCycle
from app.submissions.models import ProgressRating, Submission, SubmissionStatus
from tests.factories import make_submission, make_user


def country(session: Session, iso3: str) -> Country:
    return session.scalars(select(Country).where(Country.iso3 == iso3)).one()


def submission_with_status(
    session: Session, iso3: str, status: SubmissionStatus, *, cycle: ReviewCycle | None = None, text: str = ""
) -> Submission:
    """A country's submission in a given status, every objective reported and rated, narratives carrying ``text``."""
    focal = make_user(session, role=Role.focal_point, country=iso3)
    submission = make_submission(session, focal_point=focal, cycle=cycle)
    for report in submission.objective_reports:
        report.progress_rating = ProgressRating.under_way
        report.narrative = f"{text} objective {report.objective_id} of {iso3}".strip()
        report.good_practices = f"Practice of {iso3}: {text}".strip()
    submission.status = status
    session.flush()
    return submission
