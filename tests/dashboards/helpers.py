"""Test data of the dashboards: values and accepted submissions written straight to the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.catalog.models import Country
from app.cycles.models import ReviewCycle
from app.submissions.models import Submission, SubmissionStatus
from tests.factories import make_submission, make_user, set_answers

UNDER_WAY = 3  # the default questionnaire's step "Under way"
# Choice questions a test adds to a cycle's questionnaire (app.questionnaires.service.add_question): a yes/no one in
# the section "preparation", a single choice asked for every objective.
CONSULTED = {
    "key": "consulted_migrants",
    "type": "yes_no",
    "label": {"en": "Were migrants' organisations consulted?"},
}
FUNDING = {
    "key": "funding",
    "type": "single_choice",
    "label": {"en": "Main source of funding"},
    "choices": [
        {"value": "budget", "label": {"en": "National budget"}},
        {"value": "donors", "label": {"en": "Development partners"}},
        {"value": "none", "label": {"en": "No dedicated funding"}},
    ],
}


def country(session: Session, iso3: str) -> Country:
    return session.scalars(select(Country).where(Country.iso3 == iso3)).one()


def submission_with_status(
    session: Session, iso3: str, status: SubmissionStatus, *, cycle: ReviewCycle | None = None, text: str = ""
) -> Submission:
    """A country's submission in a given status, every objective reported and rated, narratives carrying ``text``."""
    focal = make_user(session, role=Role.focal_point, country=iso3)
    submission = make_submission(session, focal_point=focal, cycle=cycle)
    for report in submission.objective_reports:
        set_answers(
            session,
            submission,
            f"objective:{report.objective.number}",
            {
                "progress_rating": UNDER_WAY,
                "narrative": f"{text} objective {report.objective_id} of {iso3}".strip(),
                "good_practices": f"Practice of {iso3}: {text}".strip(),
            },
            user=focal,
        )
    submission.status = status
    session.flush()
    return submission
