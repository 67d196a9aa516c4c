"""Demo data for the review: the decisions behind every approved or published submission, and one resolved
comment thread each (called once from ``app/demo.py``, in bulk, with the audit trail disabled there)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.comments.models import Comment, CommentThread, ThreadStatus, ThreadTarget
from app.review.models import DecisionKind, ReviewDecision
from app.submissions.models import ObjectiveReport, ReportingChoice, Submission
from app.visibility import ACCEPTED

QUESTION = "Could you add the source and year of the figures quoted here?"
ANSWER = "Added: they come from the national labour force survey of the reporting year."
BATCH = 1_000


def add_review_history(session: Session) -> dict[str, int]:
    """Decisions (submit, approve, publish) and one resolved thread per accepted submission; returns row counts."""
    reviewer = session.scalar(select(User.id).where(User.role == Role.secretariat).order_by(User.id).limit(1))
    if reviewer is None:
        return {}
    focal = dict(
        session.execute(
            select(User.country_id, func.min(User.id)).where(User.role == Role.focal_point).group_by(User.country_id)
        ).all()
    )
    first_report = dict(
        session.execute(
            select(ObjectiveReport.submission_id, func.min(ObjectiveReport.id))
            .where(ObjectiveReport.reporting == ReportingChoice.reported)
            .group_by(ObjectiveReport.submission_id)
        ).all()
    )
    accepted = session.execute(
        select(
            Submission.id,
            Submission.country_id,
            Submission.submitted_at,
            Submission.approved_at,
            Submission.published_at,
        ).where(Submission.status.in_(ACCEPTED))
    ).all()
    decisions: list[dict[str, Any]] = []
    threads: list[dict[str, Any]] = []
    for sub_id, country_id, submitted_at, approved_at, published_at in accepted:
        steps = [
            (DecisionKind.submit, submitted_at, focal.get(country_id)),
            (DecisionKind.approve, approved_at, reviewer),
        ]
        steps.append((DecisionKind.publish, published_at, reviewer))
        for kind, at, who in steps:
            if at is not None:
                decisions.append(
                    {
                        "submission_id": sub_id,
                        "kind": kind,
                        "reason": "",
                        "parts": [],
                        "decided_by_id": who,
                        "decided_at": at,
                    }
                )
        report_id = first_report.get(sub_id)
        if report_id is not None and submitted_at is not None and approved_at is not None:
            threads.append(
                {
                    "submission_id": sub_id,
                    "target_kind": ThreadTarget.objective,
                    "target_id": report_id,
                    "status": ThreadStatus.resolved,
                    "created_by_id": reviewer,
                    "resolved_by_id": reviewer,
                    "resolved_at": approved_at,
                    "created_at": submitted_at,
                    "updated_at": approved_at,
                    "_answerer": focal.get(country_id),
                }
            )
    for start in range(0, len(decisions), BATCH):
        session.execute(insert(ReviewDecision), decisions[start : start + BATCH])
    comments: list[dict[str, Any]] = []
    for start in range(0, len(threads), BATCH):
        batch = threads[start : start + BATCH]
        rows = [{k: v for k, v in t.items() if not k.startswith("_")} for t in batch]
        stmt = insert(CommentThread).returning(CommentThread.id, sort_by_parameter_order=True)
        for thread, thread_id in zip(batch, session.scalars(stmt, rows).all(), strict=True):
            asked = thread["created_at"] + timedelta(hours=2)
            comments.append({"thread_id": thread_id, "author_id": reviewer, "body": QUESTION, "created_at": asked})
            answered = min(asked + timedelta(days=1), thread["resolved_at"])
            comments.append(
                {"thread_id": thread_id, "author_id": thread["_answerer"], "body": ANSWER, "created_at": answered}
            )
    for start in range(0, len(comments), BATCH):
        session.execute(insert(Comment), comments[start : start + BATCH])
    session.flush()
    return {"review_decision": len(decisions), "comment_thread": len(threads), "comment": len(comments)}
