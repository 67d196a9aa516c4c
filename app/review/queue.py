"""Reads for the secretariat's review queue: every member and associate member with its submission for a cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.catalog.models import Country
from app.cycles.models import CycleStatus, ReviewCycle
from app.review import queries
from app.submissions.models import Submission, SubmissionStatus

NOT_STARTED = "not_started"  # a country without a submission row for the cycle
QUEUE_STATUSES: tuple[str, ...] = (NOT_STARTED, *(s.value for s in SubmissionStatus))
OUTSIDE_REGION = "outside"  # the subregion filter's value for the four members outside the region
SORTS = ("waiting", "country")
# Statuses in which the State still owes the secretariat its review: overdue once the deadline has passed.
AWAITING_STATE = frozenset({NOT_STARTED, SubmissionStatus.draft.value, SubmissionStatus.changes_requested.value})


@dataclass(frozen=True)
class QueueFilter:
    cycle: ReviewCycle
    status: str | None = None  # one of QUEUE_STATUSES, None for all
    subregion: str | None = None  # a subregion's name, OUTSIDE_REGION, or None for all
    sort: str = "waiting"


@dataclass(frozen=True)
class QueueRow:
    country: Country
    submission: Submission | None
    status: str
    submitted_on: date | None
    days_waiting: int | None  # only while the submission waits for the secretariat
    overdue_days: int | None  # only while the State still owes its review after the deadline


def list_cycles(session: Session) -> list[ReviewCycle]:
    """Every cycle, the latest first."""
    return queries.list_cycles(session)


def default_cycle(cycles: Sequence[ReviewCycle]) -> ReviewCycle | None:
    """The open cycle (the latest one if several), else the latest by opening date."""
    ordered = sorted(cycles, key=lambda c: (c.opens_on, c.id), reverse=True)
    return next((c for c in ordered if c.status is CycleStatus.open), ordered[0] if ordered else None)


def list_queue(session: Session, queue: QueueFilter, *, today: date) -> list[QueueRow]:
    """One row per country (members outside the region included), in one statement."""
    cycle = queue.cycle
    members = queries.queue_members(
        session,
        cycle.id,
        not_started=queue.status == NOT_STARTED,
        status=SubmissionStatus(queue.status) if queue.status not in (None, NOT_STARTED) else None,
        outside_region=queue.subregion == OUTSIDE_REGION,
        subregion=queue.subregion if queue.subregion != OUTSIDE_REGION else None,
        waiting_first=queue.sort == "waiting",
    )
    return [_row(country, submission, cycle, today) for country, submission in members]


def _row(country: Country, submission: Submission | None, cycle: ReviewCycle, today: date) -> QueueRow:
    status = submission.status.value if submission is not None else NOT_STARTED
    submitted_on = submission.submitted_at.date() if submission and submission.submitted_at else None
    waiting = status == SubmissionStatus.submitted.value and submitted_on is not None
    overdue = status in AWAITING_STATE and today > cycle.deadline
    return QueueRow(
        country=country,
        submission=submission,
        status=status,
        submitted_on=submitted_on,
        days_waiting=(today - submitted_on).days if waiting and submitted_on else None,
        overdue_days=(today - cycle.deadline).days if overdue else None,
    )


def count_by_status(session: Session, cycle: ReviewCycle) -> dict[str, int]:
    """How many countries are in each status for the cycle (every status present, zero included)."""
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    for status, number in queries.count_members_by_status(session, cycle.id):
        counts[status.value if status is not None else NOT_STARTED] = number
    return counts


def list_subregion_names(session: Session) -> list[str]:
    return queries.list_subregion_names(session)
