"""Reads of questionnaires."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.contributions.models import Contribution, ContributionAnswer
from app.cycles.models import ReviewCycle
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.submissions.models import Answer, AnswerChoice, Submission

STATES = QuestionnaireKind.states


def get_for_cycle(session: Session, cycle_id: int, kind: QuestionnaireKind = STATES) -> Questionnaire | None:
    stmt = select(Questionnaire).where(Questionnaire.review_cycle_id == cycle_id, Questionnaire.kind == kind)
    return session.scalars(stmt).first()


def latest_before(session: Session, cycle: ReviewCycle, kind: QuestionnaireKind = STATES) -> Questionnaire | None:
    """The questionnaire of the most recent other cycle (by opening date): what a new cycle starts from."""
    stmt = (
        select(Questionnaire)
        .join(ReviewCycle, ReviewCycle.id == Questionnaire.review_cycle_id)
        .where(ReviewCycle.id != cycle.id, Questionnaire.kind == kind)
        .order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def _kind(part: str) -> str:
    return part.partition(":")[0]


def _contribution_answers(cycle_id: int) -> Select[str, str, int]:
    return (
        select(ContributionAnswer.part, ContributionAnswer.key, func.count())
        .join(Contribution, Contribution.id == ContributionAnswer.contribution_id)
        .where(Contribution.review_cycle_id == cycle_id, ContributionAnswer.value.is_not(None))
        .group_by(ContributionAnswer.part, ContributionAnswer.key)
    )


def answer_counts(session: Session, cycle_id: int, kind: QuestionnaireKind = STATES) -> dict[tuple[str, str], int]:
    """(part kind "section"/"objective", question key) -> how many answers the cycle's reviews (or, for the
    stakeholders' questionnaire, its contributions) gave to it."""
    stmt = (
        select(Answer.part, Answer.key, func.count())
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.review_cycle_id == cycle_id, Answer.value.is_not(None))
        .group_by(Answer.part, Answer.key)
    )
    if kind is QuestionnaireKind.stakeholders:
        stmt = _contribution_answers(cycle_id)
    counts: dict[tuple[str, str], int] = {}
    for part, key, n in session.execute(stmt):
        counts[_kind(part), key] = counts.get((_kind(part), key), 0) + n
    return counts


def choice_counts(session: Session, cycle_id: int, kind: QuestionnaireKind = STATES) -> dict[tuple[str, str, str], int]:
    """(part kind, question key, value) -> how many answers of the cycle chose that value (contributions keep
    their chosen values in their JSON value: counted here from it)."""
    if kind is QuestionnaireKind.stakeholders:
        return _contribution_choices(session, cycle_id)
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


def _contribution_choices(session: Session, cycle_id: int) -> dict[tuple[str, str, str], int]:
    stmt = (
        select(ContributionAnswer.part, ContributionAnswer.key, ContributionAnswer.value)
        .join(Contribution, Contribution.id == ContributionAnswer.contribution_id)
        .where(Contribution.review_cycle_id == cycle_id, ContributionAnswer.value.is_not(None))
    )
    counts: dict[tuple[str, str, str], int] = {}
    for part, key, value in session.execute(stmt):
        values = value if isinstance(value, list) else [value]
        for v in values:
            chosen = ("true" if v else "false") if isinstance(v, bool) else str(v)
            counts[_kind(part), key, chosen] = counts.get((_kind(part), key, chosen), 0) + 1
    return counts


def section_answer_count(session: Session, cycle_id: int, section_key: str, kind: QuestionnaireKind = STATES) -> int:
    if kind is QuestionnaireKind.stakeholders:
        contributed = (
            select(func.count())
            .select_from(ContributionAnswer)
            .join(Contribution, Contribution.id == ContributionAnswer.contribution_id)
            .where(
                Contribution.review_cycle_id == cycle_id,
                ContributionAnswer.part == f"section:{section_key}",
                ContributionAnswer.value.is_not(None),
            )
        )
        return session.scalar(contributed) or 0
    stmt = (
        select(func.count())
        .select_from(Answer)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(
            Submission.review_cycle_id == cycle_id, Answer.part == f"section:{section_key}", Answer.value.is_not(None)
        )
    )
    return session.scalar(stmt) or 0
