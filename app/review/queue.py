"""Reads for the secretariat's review queue: every member and associate member with its submission for a cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Country
from app.cycles.models import CycleStatus, ReviewCycle
from app.review import queries
from app.submissions.models import Submission, SubmissionStatus

NOT_STARTED = "not_started"  # a country without a submission row for the cycle
QUEUE_STATUSES: tuple[str, ...] = (NOT_STARTED, *(s.value for s in SubmissionStatus))
OUTSIDE_REGION = "outside"  # the subregion filter's value for the four members outside the region
SORTS = ("waiting", "country")
# The worklist's views (``/review?view=...``): assigned to the reader, resubmitted after changes were asked for,
# approved but not yet published, overdue (the State still owes its review after the deadline).
VIEWS = ("mine", "resubmitted", "approved", "overdue")
# Statuses in which the State still owes the secretariat its review: overdue once the deadline has passed.
AWAITING_STATE = frozenset({NOT_STARTED, SubmissionStatus.draft.value, SubmissionStatus.changes_requested.value})


@dataclass(frozen=True)
class QueueFilter:
    cycle: ReviewCycle
    status: str | None = None  # one of QUEUE_STATUSES, None for all
    subregion: str | None = None  # a subregion's name, OUTSIDE_REGION, or None for all
    sort: str = "waiting"
    view: str | None = None  # one of VIEWS, None for every country
    reader_id: int | None = None  # whose "mine" it is


@dataclass(frozen=True)
class QueueRow:
    country: Country
    submission: Submission | None
    status: str
    reviewer: User | None  # whom the review is assigned to
    resubmitted: bool  # submitted again after the secretariat sent it back
    assignment_version: int  # the assignment's version (0: never assigned), which the assignment form carries
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
    if queue.view == "overdue" and today <= cycle.deadline:
        return []  # nothing is overdue before the deadline
    status = queue.status
    if queue.view == "approved":
        if status not in (None, SubmissionStatus.approved.value):
            return []
        status = SubmissionStatus.approved.value
    members = queries.queue_members(
        session,
        cycle.id,
        not_started=status == NOT_STARTED,
        status=SubmissionStatus(status) if status not in (None, NOT_STARTED) else None,
        outside_region=queue.subregion == OUTSIDE_REGION,
        subregion=queue.subregion if queue.subregion != OUTSIDE_REGION else None,
        waiting_first=queue.sort == "waiting",
        assigned_to_id=(queue.reader_id or -1) if queue.view == "mine" else None,
        resubmitted=queue.view == "resubmitted",
        owed_by_state=queue.view == "overdue",
    )
    return [
        _row(country, submission, reviewer, again, version, cycle, today)
        for country, submission, reviewer, again, version in members
    ]


def _row(
    country: Country,
    submission: Submission | None,
    reviewer: User | None,
    resubmitted: bool,
    assignment_version: int,
    cycle: ReviewCycle,
    today: date,
) -> QueueRow:
    status = submission.status.value if submission is not None else NOT_STARTED
    submitted_on = submission.submitted_at.date() if submission and submission.submitted_at else None
    waiting = status == SubmissionStatus.submitted.value and submitted_on is not None
    overdue = status in AWAITING_STATE and today > cycle.deadline
    return QueueRow(
        country=country,
        submission=submission,
        status=status,
        reviewer=reviewer,
        resubmitted=resubmitted,
        assignment_version=assignment_version,
        submitted_on=submitted_on,
        days_waiting=(today - submitted_on).days if waiting and submitted_on else None,
        overdue_days=(today - cycle.deadline).days if overdue else None,
    )


@dataclass(frozen=True)
class Counts:
    by_status: dict[str, int]  # every status present, zero included
    by_view: dict[str, int]  # every view, and "" for every country


def count(session: Session, cycle: ReviewCycle, *, reader_id: int, today: date) -> Counts:
    """How many countries are in each status for the cycle, and how many each view lists for the reader."""
    by_status = dict.fromkeys(QUEUE_STATUSES, 0)
    mine = resubmitted = 0
    for status, number, assigned, again in queries.count_members_by_status(session, cycle.id, reader_id):
        by_status[status.value if status is not None else NOT_STARTED] = number
        mine += assigned
        resubmitted += again
    overdue = sum(by_status[s] for s in AWAITING_STATE) if today > cycle.deadline else 0
    by_view = {
        "": sum(by_status.values()),
        "mine": mine,
        "resubmitted": resubmitted,
        "approved": by_status[SubmissionStatus.approved.value],
        "overdue": overdue,
    }
    return Counts(by_status, by_view)


def list_subregion_names(session: Session) -> list[str]:
    return queries.list_subregion_names(session)
