"""The demo data's review history is what the workflow itself records: every status reached through its decisions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.comments.models import CommentThread, ThreadStatus
from app.demo import create_demo_data
from app.review.models import DecisionKind, ReviewDecision, ReviewSnapshot
from app.submissions.models import Submission, SubmissionStatus

SENT_BACK = (DecisionKind.request_changes, DecisionKind.reopen)


def _decisions(session: Session) -> dict[int, list[ReviewDecision]]:
    found: dict[int, list[ReviewDecision]] = {}
    for d in session.scalars(select(ReviewDecision).order_by(ReviewDecision.decided_at, ReviewDecision.id)):
        found.setdefault(d.submission_id, []).append(d)
    return found


def test_every_demo_status_is_reached_through_the_workflows_decisions(session: Session) -> None:
    create_demo_data(session, today=date(2026, 11, 28))
    decisions = _decisions(session)
    submissions = list(session.scalars(select(Submission)))
    assert {s.status for s in submissions} == set(SubmissionStatus)
    for sub in submissions:
        kinds = [d.kind for d in decisions.get(sub.id, [])]
        if sub.status is SubmissionStatus.draft:
            assert kinds == [], sub.id
            continue
        assert kinds[0] is DecisionKind.submit, sub.id
        last = {
            SubmissionStatus.submitted: (DecisionKind.submit,),
            SubmissionStatus.changes_requested: SENT_BACK,
            SubmissionStatus.approved: (DecisionKind.approve,),
            SubmissionStatus.published: (DecisionKind.publish,),
        }[sub.status]
        assert kinds[-1] in last, (sub.id, sub.status, kinds)
        assert sub.submitted_at is not None
        stamps = [d.decided_at for d in decisions[sub.id]]
        assert stamps == sorted(stamps)


def test_demo_reviews_sent_back_have_a_reason_reopened_parts_and_snapshots(session: Session) -> None:
    create_demo_data(session, today=date(2026, 11, 28))
    decisions = _decisions(session)
    returned = list(session.scalars(select(Submission).where(Submission.status == SubmissionStatus.changes_requested)))
    assert returned
    kinds = set()
    for sub in returned:
        latest = [d for d in decisions[sub.id] if d.kind in SENT_BACK][-1]
        kinds.add(latest.kind)
        assert latest.reason.strip() and latest.parts
        snapshots = session.scalars(select(ReviewSnapshot.part).where(ReviewSnapshot.decision_id == latest.id))
        assert sorted(snapshots) == sorted(latest.parts)
    assert kinds == set(SENT_BACK)  # returned after submission, and reopened after approval
    resubmitted = [
        sid for sid, ds in decisions.items() if [d.kind for d in ds].count(DecisionKind.submit) > 1 and ds[-1].kind
    ]
    assert resubmitted, "some reviews were changed and submitted again"


def test_demo_threads_are_open_only_where_the_workflow_leaves_them_open(session: Session) -> None:
    create_demo_data(session, today=date(2026, 11, 28))
    open_on = set(
        session.scalars(
            select(Submission.status)
            .join(CommentThread, CommentThread.submission_id == Submission.id)
            .where(CommentThread.status == ThreadStatus.open)
        )
    )
    assert open_on and open_on <= {SubmissionStatus.submitted, SubmissionStatus.changes_requested}
    accepted = select(func.count(Submission.id)).where(Submission.status == SubmissionStatus.published)
    resolved = select(func.count(CommentThread.id)).where(CommentThread.status == ThreadStatus.resolved)
    assert (session.scalar(resolved) or 0) >= (session.scalar(accepted) or 0) > 0
