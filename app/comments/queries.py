"""Reads of comment threads, and the mapping between a part's key ("objective:5") and its row."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from app.comments.models import Comment, CommentThread, ThreadStatus, ThreadTarget
from app.i18n import _, pick
from app.questionnaires.schemas import Definition
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection


def _options() -> tuple[ExecutableOption, ...]:
    return (
        joinedload(CommentThread.created_by),
        joinedload(CommentThread.resolved_by),
        selectinload(CommentThread.comments).joinedload(Comment.author),
    )


def list_threads(session: Session, submission_id: int) -> list[CommentThread]:
    """Every thread on a submission with its comments and their authors, oldest first (read afresh)."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CommentThread | Comment):
            session.expire(obj)
    stmt = select(CommentThread).where(CommentThread.submission_id == submission_id).options(*_options())
    return list(session.scalars(stmt.order_by(CommentThread.id)))


def get_thread(session: Session, thread_id: int) -> CommentThread | None:
    stmt = select(CommentThread).where(CommentThread.id == thread_id).options(*_options())
    return session.scalar(stmt)


def list_open_threads(session: Session, submission_id: int) -> list[CommentThread]:
    stmt = select(CommentThread).where(
        CommentThread.submission_id == submission_id, CommentThread.status == ThreadStatus.open
    )
    return list(session.scalars(stmt.order_by(CommentThread.id)))


# ---- parts ------------------------------------------------------------------------------------------------------


def part_key(submission: Submission, thread: CommentThread) -> str | None:
    """The key ("section:<key>", "objective:<n>") of the part a thread is about (the submission loaded whole)."""
    if thread.target_kind is ThreadTarget.section:
        section = next((s for s in submission.sections if s.id == thread.target_id), None)
        return f"section:{section.key}" if section else None
    report = next((r for r in submission.objective_reports if r.id == thread.target_id), None)
    return f"objective:{report.objective.number}" if report else None


def target_of(submission: Submission, key: str) -> SubmissionSection | ObjectiveReport | None:
    kind, _sep, ref = key.partition(":")
    if kind == ThreadTarget.section.value:
        return next((s for s in submission.sections if s.key == ref), None)
    if kind == ThreadTarget.objective.value:
        return next((r for r in submission.objective_reports if str(r.objective.number) == ref), None)
    return None


def part_label(definition: Definition, key: str) -> str:
    kind, _sep, ref = key.partition(":")
    if kind == ThreadTarget.section.value:
        section = definition.section(ref)
        return pick(section.label, ref)[0] if section else ref
    return _("Objective %(n)s") % {"n": ref}


def threads_by_part(submission: Submission, threads: list[CommentThread]) -> dict[str, list[CommentThread]]:
    grouped: dict[str, list[CommentThread]] = defaultdict(list)
    for thread in threads:
        key = part_key(submission, thread)
        if key is not None:
            grouped[key].append(thread)
    return dict(grouped)
