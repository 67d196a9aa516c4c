"""Reads of questionnaires."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cycles.models import ReviewCycle
from app.questionnaires.models import Questionnaire
from app.submissions.models import Answer, AnswerChoice, Submission


def get_for_cycle(session: Session, cycle_id: int) -> Questionnaire | None:
    return session.scalars(select(Questionnaire).where(Questionnaire.review_cycle_id == cycle_id)).first()


def latest_before(session: Session, cycle: ReviewCycle) -> Questionnaire | None:
    """The questionnaire of the most recent other cycle (by opening date): what a new cycle starts from."""
    stmt = (
        select(Questionnaire)
        .join(ReviewCycle, ReviewCycle.id == Questionnaire.review_cycle_id)
        .where(ReviewCycle.id != cycle.id)
        .order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def _kind(part: str) -> str:
    return part.partition(":")[0]


def answer_counts(session: Session, cycle_id: int) -> dict[tuple[str, str], int]:
    """(part kind "section"/"objective", question key) -> how many answers the cycle's reviews gave to it."""
    stmt = (
        select(Answer.part, Answer.key, func.count())
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.review_cycle_id == cycle_id, Answer.value.is_not(None))
        .group_by(Answer.part, Answer.key)
    )
    counts: dict[tuple[str, str], int] = {}
    for part, key, n in session.execute(stmt):
        counts[_kind(part), key] = counts.get((_kind(part), key), 0) + n
    return counts


def choice_counts(session: Session, cycle_id: int) -> dict[tuple[str, str, str], int]:
    """(part kind, question key, value) -> how many answers of the cycle chose that value."""
    stmt = (
        select(Answer.part, Answer.key, AnswerChoice.value, func.count())
        .join(AnswerChoice, AnswerChoice.answer_id == Answer.id)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.review_cycle_id == cycle_id)
        .group_by(Answer.part, Answer.key, AnswerChoice.value)
    )
    counts: dict[tuple[str, str, str], int] = {}
    for part, key, value, n in session.execute(stmt):
        counts[_kind(part), key, value] = counts.get((_kind(part), key, value), 0) + n
    return counts


def section_answer_count(session: Session, cycle_id: int, section_key: str) -> int:
    stmt = (
        select(func.count())
        .select_from(Answer)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(
            Submission.review_cycle_id == cycle_id, Answer.part == f"section:{section_key}", Answer.value.is_not(None)
        )
    )
    return session.scalar(stmt) or 0
