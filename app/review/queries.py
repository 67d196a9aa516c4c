from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, contains_eager

from app.catalog.models import Country, Subregion
from app.cycles.models import ReviewCycle
from app.submissions.models import Submission, SubmissionStatus

# The decisions on record are read in app.submissions (its page shows them); named here for review's code.
from app.submissions.queries import latest_snapshots as latest_snapshots
from app.submissions.queries import list_decisions as list_decisions

# The review queue (app/review/queue.py shapes the rows).


def list_cycles(session: Session) -> list[ReviewCycle]:
    """Every cycle, the latest first."""
    stmt = select(ReviewCycle).order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc())
    return list(session.scalars(stmt))


def queue_members(
    session: Session,
    cycle_id: int,
    *,
    not_started: bool,
    status: SubmissionStatus | None,
    outside_region: bool,
    subregion: str | None,
    waiting_first: bool,
) -> list[tuple[Country, Submission | None]]:
    """Every country (members outside the region included) with its submission for the cycle, if any, in one
    statement: only those without one (``not_started``) or in ``status``; only outside the region or in the
    ``subregion`` named; those waiting for the secretariat first, the longest waiting first (``waiting_first``),
    then by name."""
    waiting = Submission.status == SubmissionStatus.submitted
    stmt = (
        select(Country, Submission)
        .outerjoin(Country.subregion)
        .outerjoin(Submission, and_(Submission.country_id == Country.id, Submission.review_cycle_id == cycle_id))
        .options(contains_eager(Country.subregion))
    )
    if not_started:
        stmt = stmt.where(Submission.id.is_(None))
    elif status is not None:
        stmt = stmt.where(Submission.status == status)
    if outside_region:
        stmt = stmt.where(Country.in_region.is_(False))
    elif subregion is not None:
        stmt = stmt.where(Subregion.name == subregion)
    if waiting_first:
        stmt = stmt.order_by(case((waiting, 0), else_=1), case((waiting, Submission.submitted_at)))
    stmt = stmt.order_by(Country.name)
    return [(country, submission) for country, submission in session.execute(stmt)]


def count_members_by_status(session: Session, cycle_id: int) -> list[tuple[SubmissionStatus | None, int]]:
    """How many countries are in each status for the cycle (None: no submission yet)."""
    stmt = (
        select(Submission.status, func.count(Country.id))
        .select_from(Country)
        .outerjoin(Submission, and_(Submission.country_id == Country.id, Submission.review_cycle_id == cycle_id))
        .group_by(Submission.status)
    )
    return [(status, number) for status, number in session.execute(stmt)]


def list_subregion_names(session: Session) -> list[str]:
    return list(session.scalars(select(Subregion.name).order_by(Subregion.sort_order, Subregion.name)))
