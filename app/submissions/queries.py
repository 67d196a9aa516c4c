"""Reads of submissions, their sections and objective reports."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from app.auth.models import User
from app.commitments.models import Commitment
from app.cycles.models import CycleStatus, ReviewCycle
from app.indicators.models import IndicatorValue
from app.submissions.models import (
    Answer,
    AnswerChoice,
    AnswerFile,
    DecisionKind,
    ObjectiveReport,
    ReviewDecision,
    ReviewSnapshot,
    Submission,
    SubmissionSection,
    SubmissionStatus,
)
from app.visibility import ACCEPTED


def get_open_cycle(session: Session) -> ReviewCycle | None:
    stmt = select(ReviewCycle).where(ReviewCycle.status == CycleStatus.open).order_by(ReviewCycle.opens_on.desc())
    return session.scalars(stmt.limit(1)).first()


def get_country_submission(session: Session, *, country_id: int, cycle_id: int) -> Submission | None:
    stmt = select(Submission).where(Submission.country_id == country_id, Submission.review_cycle_id == cycle_id)
    return session.scalar(stmt)


def get_submission(session: Session, submission_id: int) -> Submission | None:
    """A submission with everything its pages show: country, cycle, sections, reports with their links."""
    stmt = (
        select(Submission)
        .where(Submission.id == submission_id)
        .options(
            joinedload(Submission.country),
            joinedload(Submission.review_cycle),
            selectinload(Submission.sections),
            selectinload(Submission.objective_reports).options(joinedload(ObjectiveReport.objective)),
            selectinload(Submission.answers),
        )
    )
    return session.scalar(stmt)


def lock_submission(session: Session, submission: Submission) -> None:
    """Take the submission's row lock until the transaction ends, and read its workflow state afresh.

    Every decision, every submit and every change to a comment thread takes it first, so they happen one after
    the other: an approval sees the threads as they are when it commits, and the second of two submits finds the
    review already submitted (PostgreSQL: SELECT ... FOR UPDATE; SQLite's writers are serialised already)."""
    session.execute(select(Submission.id).where(Submission.id == submission.id).with_for_update())
    session.expire(submission, ["status", "version", "submitted_at", "approved_at", "published_at"])


def get_section(session: Session, submission: Submission, key: str) -> SubmissionSection | None:
    return next((s for s in submission.sections if s.key == key), None)


def get_report(submission: Submission, number: int) -> ObjectiveReport | None:
    return next((r for r in submission.objective_reports if r.objective.number == number), None)


def set_choices(session: Session, answer: Answer, values: list[str]) -> None:
    """Keep the values an answer chose beside it (answer_choice), replacing what it chose before."""
    session.flush()  # the answer has its id
    session.execute(delete(AnswerChoice).where(AnswerChoice.answer_id == answer.id))
    if values:
        session.execute(insert(AnswerChoice), [{"answer_id": answer.id, "value": v} for v in dict.fromkeys(values)])


def get_file(session: Session, submission_id: int, file_id: int, *, content: bool = False) -> AnswerFile | None:
    stmt = select(AnswerFile).where(AnswerFile.id == file_id, AnswerFile.submission_id == submission_id)
    if content:
        stmt = stmt.options(undefer(AnswerFile.content))
    return session.scalars(stmt).first()


def files_of(session: Session, submission_id: int, part: str, key: str) -> list[AnswerFile]:
    stmt = select(AnswerFile).where(
        AnswerFile.submission_id == submission_id, AnswerFile.part == part, AnswerFile.key == key
    )
    return list(session.scalars(stmt))


def answer_ids(session: Session, submission_id: int, part: str) -> list[int]:
    stmt = select(Answer.id).where(Answer.submission_id == submission_id, Answer.part == part)
    return list(session.scalars(stmt))


def list_country_commitments(session: Session, country_id: int) -> list[Commitment]:
    stmt = select(Commitment).where(Commitment.country_id == country_id).order_by(Commitment.reference)
    return list(session.scalars(stmt))


def country_commitments_by_ids(session: Session, country_id: int, ids: Iterable[int]) -> list[Commitment]:
    """Those of the commitments ``ids`` that belong to the country."""
    return list(session.scalars(select(Commitment).where(Commitment.id.in_(ids), Commitment.country_id == country_id)))


def list_country_submissions(session: Session, country_id: int) -> list[Submission]:
    stmt = (
        select(Submission)
        .where(Submission.country_id == country_id)
        .options(joinedload(Submission.review_cycle))
        .order_by(Submission.created_at.desc())
    )
    return list(session.scalars(stmt))


def get_last_accepted(session: Session, *, country_id: int, before_cycle_id: int) -> Submission | None:
    """The country's most recent approved or published review of another cycle (to carry forward)."""
    stmt = (
        select(Submission.id)
        .join(Submission.review_cycle)
        .where(
            Submission.country_id == country_id,
            Submission.review_cycle_id != before_cycle_id,
            Submission.status.in_(ACCEPTED),
        )
        .order_by(ReviewCycle.opens_on.desc())
        .limit(1)
    )
    found = session.scalar(stmt)
    return get_submission(session, found) if found else None


def list_decisions(session: Session, submission_id: int) -> list[ReviewDecision]:
    """The decisions on a submission, newest first, with who made them."""
    stmt = (
        select(ReviewDecision)
        .where(ReviewDecision.submission_id == submission_id)
        .options(joinedload(ReviewDecision.decided_by))
        .order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc())
    )
    return list(session.scalars(stmt))


def latest_snapshots(session: Session, submission_id: int) -> list[ReviewSnapshot]:
    """The parts' text kept by the latest decision that sent the review back (request changes or reopen)."""
    latest = (
        select(ReviewDecision.id)
        .where(
            ReviewDecision.submission_id == submission_id,
            ReviewDecision.kind.in_((DecisionKind.request_changes, DecisionKind.reopen)),
        )
        .order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = select(ReviewSnapshot).where(ReviewSnapshot.decision_id == latest).order_by(ReviewSnapshot.id)
    return list(session.scalars(stmt))


def snapshots_of(session: Session, decision_ids: Iterable[int]) -> list[ReviewSnapshot]:
    """The parts reopened by these decisions, with what the reviewer asked of each (``reason``)."""
    ids = list(decision_ids)
    if not ids:
        return []
    stmt = select(ReviewSnapshot).where(ReviewSnapshot.decision_id.in_(ids)).order_by(ReviewSnapshot.id)
    return list(session.scalars(stmt))


def user_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """The names of these users (who changed an answer last), in one query."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {uid: name for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def other_published(session: Session, submission: Submission) -> bool:
    """Whether another review of the same country is published (its pledges and values are public already)."""
    stmt = select(Submission.id).where(
        Submission.country_id == submission.country_id,
        Submission.id != submission.id,
        Submission.status == SubmissionStatus.published,
    )
    return session.scalar(stmt.limit(1)) is not None


def count_country_values(session: Session, country_id: int) -> int:
    """How many indicator values the country has on record (they follow the country's readability)."""
    return session.scalar(select(func.count(IndicatorValue.id)).where(IndicatorValue.country_id == country_id)) or 0
