"""Demo data for the review: every submission reaches its status through the product's own service calls.

``app/demo.py`` bulk-inserts the content of each review as a draft, then calls ``run_workflow`` with the status
each should end in. The focal point submits through ``submissions.service.submit`` (which checks completeness),
the secretariat asks questions with ``comments.service``, requests changes, approves, publishes and reopens with
``review.service``: so the decisions, their reasons, the reopened parts, the snapshots and the threads are the ones
the workflow itself records, and no page meets a state the workflow cannot create. Only the clock is the demo's:
afterwards every stamp is moved back to the day the demo's timeline gives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.comments import service as comments
from app.comments.models import Comment, CommentThread
from app.cycles.models import CycleStatus, ReviewCycle
from app.notifications.models import Notification
from app.review import service as review
from app.review.models import ReviewDecision
from app.submissions import queries as submission_queries
from app.submissions import service as submissions
from app.submissions.models import ReportingChoice, Submission, SubmissionStatus

QUESTION = "Could you add the source and year of the figures quoted here?"
ANSWER = "Added: they come from the national labour force survey of the reporting year."
CHANGES_REASON = (
    "Thank you for the review. Before we can accept it, please add the sources of the figures in the marked "
    "parts, and say which ministry leads each measure."
)
REOPEN_REASON = "The State asked to update the marked part with the results of the latest labour force survey."
PART_REASON = "Please give this year's figures for this objective, not the 2019 ones."  # a second part's own reason
RESUBMIT_NOTE = " The figures are from the national labour force survey; the ministry of labour leads the measure."


@dataclass
class Plan:
    """One submission and the status it should reach, with the moments of its timeline."""

    submission_id: int
    status: SubmissionStatus
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    updated_at: datetime


def run_workflow(session: Session, cycle: ReviewCycle, plans: Sequence[Plan]) -> dict[str, int]:
    """Take each planned submission from draft to its status through the services; returns rows created."""
    reviewer = session.scalar(select(User).where(User.role == Role.secretariat).order_by(User.id).limit(1))
    if reviewer is None or not plans:
        return {}
    focal = _focal_points(session)
    closed = cycle.status is not CycleStatus.open
    if closed:  # these reviews were submitted while the cycle was open
        cycle.status = CycleStatus.open
        session.flush()
    before = _counts(session)
    for number, plan in enumerate(plans):
        if plan.status is SubmissionStatus.draft:
            continue
        submission = submission_queries.get_submission(session, plan.submission_id)
        assert submission is not None
        author = focal[submission.country_id]
        moments = _Clock(plan)
        variant = number % 3
        last_note = session.scalar(select(func.max(Notification.id))) or 0
        _walk(session, submission, plan, author, reviewer, variant, moments)
        _backdate(session, submission, plan, moments, read=closed, notes_after=last_note)
    if closed:
        cycle.status = CycleStatus.closed
        session.flush()
    after = _counts(session)
    return {table: after[table] - before[table] for table in after}


def _focal_points(session: Session) -> dict[int, User]:
    users = session.scalars(select(User).where(User.role == Role.focal_point).order_by(User.id))
    found: dict[int, User] = {}
    for user in users:
        if user.country_id is not None:
            found.setdefault(user.country_id, user)
    return found


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (ReviewDecision, CommentThread, Comment, Notification)
    }


class _Clock:
    """Hands out the moments of a submission's events in order, between its created and last stamps."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.events: list[tuple[str, object]] = []

    def mark(self, kind: str, record: object) -> None:
        self.events.append((kind, record))


def _walk(
    session: Session,
    submission: Submission,
    plan: Plan,
    author: User,
    reviewer: User,
    variant: int,
    clock: _Clock,
) -> None:
    """The decisions that lead to the planned status. Variants (by position, so the data stay deterministic) add a
    round of changes before a resubmission, mark two parts instead of one, or reopen an approved review."""
    status = plan.status
    part = _first_reported_part(submission)
    submissions.submit(session, user=author, submission=submission)
    clock.mark("submit", None)
    if status is SubmissionStatus.submitted and variant != 0:
        return
    thread = comments.open_thread(session, user=reviewer, submission=submission, part=part, body=QUESTION)
    clock.mark("thread", thread)
    if status is SubmissionStatus.changes_requested and variant != 2:
        parts = [part, *([_second_part(submission, part)] if variant == 1 else [])]
        review.request_changes(
            session,
            user=reviewer,
            submission=submission,
            reason=CHANGES_REASON,
            parts=parts,
            part_reasons={parts[1]: PART_REASON} if len(parts) > 1 else None,
            version=None,
        )
        clock.mark("request_changes", None)
        return
    comments.reply(session, user=author, submission=submission, thread=thread, body=ANSWER)
    clock.mark("reply", thread)
    if status is SubmissionStatus.submitted:  # variant 0: sent back once, changed, submitted again
        review.request_changes(
            session, user=reviewer, submission=submission, reason=CHANGES_REASON, parts=[part], version=None
        )
        clock.mark("request_changes", None)
        _revise(session, submission, author, part)
        submissions.submit(session, user=author, submission=submission)
        clock.mark("submit", None)
        return
    comments.resolve(session, user=reviewer, submission=submission, thread=thread, version=None)
    clock.mark("resolve", thread)
    review.approve(session, user=reviewer, submission=submission, version=None)
    clock.mark("approve", None)
    if status is SubmissionStatus.changes_requested:  # variant 2: approved, then reopened on the State's request
        review.reopen(session, user=reviewer, submission=submission, reason=REOPEN_REASON, parts=[part], version=None)
        clock.mark("reopen", None)
        return
    if status is SubmissionStatus.published:
        review.publish(session, user=reviewer, submission=submission, version=None)
        clock.mark("publish", None)


def _first_reported_part(submission: Submission) -> str:
    reports = sorted(submission.objective_reports, key=lambda r: r.objective.number)
    report = next((r for r in reports if r.reporting is ReportingChoice.reported), None)
    if report is None:
        return f"section:{sorted(s.key for s in submission.sections)[0]}"
    return f"objective:{report.objective.number}"


def _second_part(submission: Submission, first: str) -> str:
    keys = review.part_keys(submission)
    return next(key for key in keys if key.startswith("section:") and key != first)


def _revise(session: Session, submission: Submission, author: User, part: str) -> None:
    """The focal point adds the sources asked for, through the same save the form uses."""
    record = submissions.find_part(submission, part)
    assert record is not None
    form = submissions.form_of(session, submission, part)
    field = part.split(":", 1)[1] if part.startswith("section:") else "narrative"
    form[field] = [(form.get(field, [""])[0] + RESUBMIT_NOTE).strip()]
    submissions.save_part(session, user=author, submission=submission, part=record, form=form, version=record.version)


def _backdate(
    session: Session, submission: Submission, plan: Plan, clock: _Clock, *, read: bool, notes_after: int
) -> None:
    """Move every stamp the services wrote to the day the demo's timeline gives it."""
    start = plan.submitted_at or plan.created_at
    end = plan.published_at or plan.approved_at or plan.updated_at
    end = max(end, start + timedelta(hours=len(clock.events) + 1))
    step = (end - start) / max(1, len(clock.events) - 1)
    moments = [start + step * i for i in range(len(clock.events))]
    decisions = list(
        session.scalars(
            select(ReviewDecision).where(ReviewDecision.submission_id == submission.id).order_by(ReviewDecision.id)
        )
    )
    decision_moments = [m for (kind, _record), m in zip(clock.events, moments, strict=True) if kind not in _THREAD]
    for decision, moment in zip(decisions, decision_moments, strict=True):
        decision.decided_at = moment
    for (kind, record), moment in zip(clock.events, moments, strict=True):
        if not isinstance(record, CommentThread):
            continue
        if kind == "thread":
            record.created_at = moment
            for comment in record.comments[:1]:
                comment.created_at = moment
        elif kind == "reply":
            for comment in record.comments[1:]:
                comment.created_at = moment
        elif kind == "resolve":
            record.resolved_at = moment
        record.updated_at = moment
    submits = [m for (kind, _r), m in zip(clock.events, moments, strict=True) if kind == "submit"]
    submission.submitted_at = submits[-1] if submits else None
    if submission.approved_at is not None:
        submission.approved_at = next(m for (k, _r), m in zip(clock.events, moments, strict=True) if k == "approve")
    if submission.published_at is not None:
        submission.published_at = moments[-1]
    submission.updated_at = moments[-1]
    session.flush()
    stmt = update(Notification).where(Notification.id > notes_after)
    session.execute(stmt.values(created_at=moments[-1], read_at=moments[-1] if read else None))


_THREAD = frozenset({"thread", "reply", "resolve"})
