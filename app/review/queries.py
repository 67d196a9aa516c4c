from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.review.models import DecisionKind, ReviewDecision, ReviewSnapshot


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
