from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.review.models import ReviewDecision


def list_decisions(session: Session, submission_id: int) -> list[ReviewDecision]:
    """The decisions on a submission, newest first, with who made them."""
    stmt = (
        select(ReviewDecision)
        .where(ReviewDecision.submission_id == submission_id)
        .options(joinedload(ReviewDecision.decided_by))
        .order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc())
    )
    return list(session.scalars(stmt))
