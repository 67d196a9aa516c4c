"""Reads of questionnaires."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cycles.models import ReviewCycle
from app.questionnaires.models import Questionnaire


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
