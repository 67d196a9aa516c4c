"""The threads panel of a part of a submission, for any page that shows that part (``comments/_panel.html``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.comments import queries, service
from app.comments.models import CommentThread
from app.submissions import service as submissions
from app.submissions.models import Submission
from app.visibility import can_discuss, reads_everything


def panel(
    session: Session, user: User | None, submission: Submission, part: str, **extra: Any
) -> dict[str, Any] | None:
    """What the threads of one part show (None for users who take no part in the discussion)."""
    if user is None or not can_discuss(user, submission.country_id):
        return None
    threads = queries.threads_by_part(submission, queries.list_threads(session, submission.id)).get(part, [])
    return _panel(session, submission, part, threads, user, **extra)


def _panel(
    session: Session, submission: Submission, part: str, threads: list[CommentThread], user: User, **extra: Any
) -> dict[str, Any]:
    return {
        "part": part,
        "part_id": part.replace(":", "-"),
        "label": queries.part_label(submissions.definition_of(session, submission), part),
        "threads": threads,
        "closed": service.is_closed(submission),
        "can_open": reads_everything(user) and not service.is_closed(submission),
        "form": {"target": None, "body": "", "error": ""},
        "message": "",
        "next": "",
        **extra,
    }


def all_panels(session: Session, user: User | None, submission: Submission) -> dict[str, dict[str, Any]] | None:
    """The threads of every part (the submission's page), one query."""
    if user is None or not can_discuss(user, submission.country_id):
        return None
    grouped = queries.threads_by_part(submission, queries.list_threads(session, submission.id))
    keys = [f"section:{s.key}" for s in submission.sections]
    keys += [f"objective:{r.objective.number}" for r in submission.objective_reports]
    return {key: _panel(session, submission, key, grouped.get(key, []), user) for key in keys}
