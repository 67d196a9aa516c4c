"""The demo data's review history: every accepted review has its decisions and one resolved thread."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.comments.models import Comment, CommentThread, ThreadStatus
from app.demo import create_demo_data
from app.review.models import DecisionKind, ReviewDecision
from app.submissions.models import Submission, SubmissionStatus


def test_accepted_demo_reviews_have_decisions_and_a_resolved_thread(session: Session) -> None:
    report = create_demo_data(session, today=date(2026, 11, 28))
    published = session.scalar(select(func.count(Submission.id)).where(Submission.status == SubmissionStatus.published))
    assert published and report.counts["comment_thread"] >= published
    publishes = session.scalar(select(func.count(ReviewDecision.id)).where(ReviewDecision.kind == DecisionKind.publish))
    assert publishes == published
    assert session.scalar(select(func.count(CommentThread.id)).where(CommentThread.status == ThreadStatus.open)) == 0
    assert session.scalar(select(func.count(Comment.id))) == 2 * report.counts["comment_thread"]
