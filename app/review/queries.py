from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager

from app.auth.models import Role, User
from app.catalog.models import Country, Subregion
from app.cycles.models import ReviewCycle
from app.review.models import ReviewAssignment
from app.submissions.models import DecisionKind, ReviewDecision, Submission, SubmissionStatus

# The decisions on record are read in app.submissions (its page shows them); named here for review's code.
from app.submissions.queries import latest_snapshots as latest_snapshots
from app.submissions.queries import list_decisions as list_decisions

# The review queue (app/review/queue.py shapes the rows).


def list_cycles(session: Session) -> list[ReviewCycle]:
    """Every cycle, the latest first."""
    stmt = select(ReviewCycle).order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc())
    return list(session.scalars(stmt))


def _resubmitted() -> ColumnElement[bool]:
    """Submitted again after the secretariat sent it back: waiting, with a request for changes (or a reopening)
    on record before it."""
    sent_back = exists().where(
        ReviewDecision.submission_id == Submission.id,
        ReviewDecision.kind.in_([DecisionKind.request_changes, DecisionKind.reopen]),
    )
    return and_(Submission.status == SubmissionStatus.submitted, sent_back)


def queue_members(
    session: Session,
    cycle_id: int,
    *,
    not_started: bool,
    status: SubmissionStatus | None,
    outside_region: bool,
    subregion: str | None,
    waiting_first: bool,
    assigned_to_id: int | None = None,
    resubmitted: bool = False,
    owed_by_state: bool = False,
) -> list[tuple[Country, Submission | None, User | None, bool, int]]:
    """Every country (members outside the region included) with its submission for the cycle, if any, the reviewer
    it is assigned to, whether it was resubmitted and the assignment's version (0: none yet), in one statement:
    only those without one (``not_started``) or in ``status``; only outside the region or in the ``subregion``
    named; only those assigned to ``assigned_to_id``, only resubmitted ones (``resubmitted``), only those the State
    still owes (``owed_by_state``: not started, draft, changes requested); those waiting for the secretariat first,
    the longest waiting first (``waiting_first``), then by name."""
    waiting = Submission.status == SubmissionStatus.submitted
    reviewer = aliased(User)
    resubmitted_column = _resubmitted()
    stmt = (
        select(Country, Submission, reviewer, resubmitted_column, ReviewAssignment.version)
        .outerjoin(Country.subregion)
        .outerjoin(Submission, and_(Submission.country_id == Country.id, Submission.review_cycle_id == cycle_id))
        .outerjoin(ReviewAssignment, ReviewAssignment.submission_id == Submission.id)
        .outerjoin(reviewer, reviewer.id == ReviewAssignment.assigned_to_id)
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
    if assigned_to_id is not None:
        stmt = stmt.where(ReviewAssignment.assigned_to_id == assigned_to_id)
    if resubmitted:
        stmt = stmt.where(resubmitted_column)
    if owed_by_state:
        owed = (SubmissionStatus.draft, SubmissionStatus.changes_requested)
        stmt = stmt.where(or_(Submission.id.is_(None), Submission.status.in_(owed)))
    if waiting_first:
        stmt = stmt.order_by(case((waiting, 0), else_=1), case((waiting, Submission.submitted_at)))
    stmt = stmt.order_by(Country.name)
    rows = session.execute(stmt)
    return [
        (country, submission, user, bool(again), version or 0) for country, submission, user, again, version in rows
    ]


def count_members_by_status(
    session: Session, cycle_id: int, user_id: int
) -> list[tuple[SubmissionStatus | None, int, int, int]]:
    """How many countries are in each status for the cycle (None: no submission yet), and of them how many are
    assigned to the user and how many were resubmitted, in one statement."""
    stmt = (
        select(
            Submission.status,
            func.count(Country.id),
            func.coalesce(func.sum(case((ReviewAssignment.assigned_to_id == user_id, 1), else_=0)), 0),
            func.coalesce(func.sum(case((_resubmitted(), 1), else_=0)), 0),
        )
        .select_from(Country)
        .outerjoin(Submission, and_(Submission.country_id == Country.id, Submission.review_cycle_id == cycle_id))
        .outerjoin(ReviewAssignment, ReviewAssignment.submission_id == Submission.id)
        .group_by(Submission.status)
    )
    return [(status, number, int(mine), int(again)) for status, number, mine, again in session.execute(stmt)]


# Assignments (app/review/assignment.py).

REVIEWER_ROLES = (Role.secretariat, Role.admin)


def list_reviewers(session: Session) -> list[User]:
    """The users a review may be assigned to: active members of the secretariat and administrators, by name."""
    stmt = select(User).where(User.role.in_(REVIEWER_ROLES), User.is_active.is_(True))
    return list(session.scalars(stmt.order_by(User.name, User.id)))


def get_assignment(session: Session, submission_id: int) -> ReviewAssignment | None:
    return session.scalars(select(ReviewAssignment).where(ReviewAssignment.submission_id == submission_id)).first()


def list_subregion_names(session: Session) -> list[str]:
    return list(session.scalars(select(Subregion.name).order_by(Subregion.sort_order, Subregion.name)))
