"""Comment threads on the parts of a review: a reviewer opens one with a first comment, the country's focal points
answer, either side resolves it (and may reopen it). While any thread is open the review cannot be approved.

Who takes part is decided in ``app/visibility.py`` (``ensure_can_discuss``): the secretariat and administrators,
and the focal points of the submission's country; anyone else finds nothing.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.catalog.models import Country
from app.comments import queries
from app.comments.models import Comment, CommentThread, ThreadStatus, ThreadTarget
from app.db import utcnow
from app.errors import Conflict, Forbidden, FormInvalid
from app.i18n import _, format_number
from app.notifications import queries as recipients
from app.notifications.models import NotificationKind
from app.notifications.service import excerpt, notify
from app.submissions import service as submissions
from app.submissions.models import Submission, SubmissionSection, SubmissionStatus
from app.submissions.queries import lock_submission
from app.visibility import ensure_can_discuss, reads_everything

BODY_MAX = 5_000


def clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise FormInvalid({"body": _("Write a comment.")}, _("The comment is empty; nothing was saved."))
    if len(body) > BODY_MAX:
        raise FormInvalid(
            {"body": _("Shorten the comment to %(max)s characters.") % {"max": format_number(BODY_MAX)}},
            _("The comment is too long; nothing was saved."),
        )
    return body


CLOSED_STATUSES = (SubmissionStatus.approved, SubmissionStatus.published)


def is_closed(submission: Submission) -> bool:
    """Once the secretariat has accepted a review its conversation is closed, until the review is reopened."""
    return submission.status in CLOSED_STATUSES


def _ensure_open(session: Session, submission: Submission) -> None:
    """Take the review's lock (an approval then waits, or is waited for) and refuse once it has been accepted."""
    lock_submission(session, submission)
    if is_closed(submission):
        raise Conflict(
            _("This review has been accepted, so its comment threads are closed. They open again if it is reopened.")
        )


def open_thread(session: Session, *, user: User, submission: Submission, part: str, body: str) -> CommentThread:
    """A reviewer asks a question about one part of the review."""
    ensure_can_discuss(user, submission.country_id)
    _ensure_open(session, submission)
    if not reads_everything(user):
        raise Forbidden(_("Only the ESCAP secretariat opens comment threads."))
    target = queries.target_of(submission, part)
    if target is None:
        raise FormInvalid({"part": _("Choose a part of this review.")})
    body = clean_body(body)
    kind = ThreadTarget.section if isinstance(target, SubmissionSection) else ThreadTarget.objective
    thread = CommentThread(submission_id=submission.id, target_kind=kind, target_id=target.id, created_by_id=user.id)
    thread.comments = [Comment(author_id=user.id, body=body)]
    session.add(thread)
    session.flush()
    _notify(session, user, submission, part, body)
    return thread


def reply(session: Session, *, user: User, submission: Submission, thread: CommentThread, body: str) -> Comment:
    """Either side answers; answering a resolved thread reopens it."""
    ensure_can_discuss(user, submission.country_id)
    _ensure_open(session, submission)
    body = clean_body(body)
    comment = Comment(thread_id=thread.id, author_id=user.id, body=body)
    if "comments" in inspect(thread).unloaded:
        session.add(comment)
    else:
        thread.comments.append(comment)
    if thread.status is ThreadStatus.resolved:
        _set_status(thread, ThreadStatus.open, user)
    _flush(session, thread)
    _notify(session, user, submission, queries.part_key(submission, thread) or "", body, thread=thread)
    return comment


def resolve(
    session: Session, *, user: User, submission: Submission, thread: CommentThread, version: int | None
) -> None:
    _change_status(session, user, submission, thread, version, ThreadStatus.resolved)


def reopen(session: Session, *, user: User, submission: Submission, thread: CommentThread, version: int | None) -> None:
    _change_status(session, user, submission, thread, version, ThreadStatus.open)


def _change_status(
    session: Session,
    user: User,
    submission: Submission,
    thread: CommentThread,
    version: int | None,
    status: ThreadStatus,
) -> None:
    ensure_can_discuss(user, submission.country_id)
    _ensure_open(session, submission)
    if version is not None and version != thread.version:
        raise Conflict(_("Someone else changed this thread after you opened it. Reload to see it."))
    if thread.status is status:
        raise Conflict(
            _("This thread is already resolved.") if status is ThreadStatus.resolved else _("This thread is open.")
        )
    _set_status(thread, status, user)
    _flush(session, thread)


def _set_status(thread: CommentThread, status: ThreadStatus, user: User) -> None:
    thread.status = status
    if status is ThreadStatus.resolved:
        thread.resolved_by_id, thread.resolved_at = user.id, utcnow()
    else:
        thread.resolved_by_id, thread.resolved_at = None, None


def _flush(session: Session, thread: CommentThread) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        session.expire(thread)
        raise Conflict(_("Someone else changed this thread at the same moment. Reload to see it.")) from None


def _notify(
    session: Session,
    author: User,
    submission: Submission,
    part: str,
    body: str,
    *,
    thread: CommentThread | None = None,
) -> None:
    """A comment goes to the other side: from a reviewer to the focal points; from a focal point to the reviewers
    in the thread (all the secretariat if none of them is active any more)."""
    if reads_everything(author):
        users = recipients.focal_points(session, submission.country_id)
    else:
        taking_part = {c.author_id for c in (thread.comments if thread else [])} | {
            thread.created_by_id if thread else None
        }
        users = [u for u in recipients.secretariat(session) if u.id in taking_part]
        users = users or recipients.secretariat(session)
    country = session.get(Country, submission.country_id)
    definition = submissions.definition_of(session, submission)

    def message() -> str:  # in each recipient's own language (app.notifications.service.notify)
        return _("%(author)s commented on %(part)s of the review of %(country)s: %(body)s") % {
            "author": author.name,
            "part": queries.part_label(definition, part),
            "country": country.name if country else "",
            "body": excerpt(body),
        }

    link = _part_link(submission, part)
    notify(session, users, NotificationKind.comment, message, link, exclude=author)


def _part_link(submission: Submission, part: str) -> str:
    kind, _sep, ref = part.partition(":")
    if kind == "section":
        return f"/submissions/{submission.id}/sections/{ref}#threads"
    if kind == "objective":
        return f"/submissions/{submission.id}/objectives/{ref}#threads"
    return f"/submissions/{submission.id}"


def open_threads_message(session: Session, submission: Submission) -> str | None:
    """Why the review cannot be approved yet (None when every thread is resolved)."""
    threads = queries.list_open_threads(session, submission.id)
    if not threads:
        return None
    definition = submissions.definition_of(session, submission)
    places = list(dict.fromkeys(queries.part_label(definition, queries.part_key(submission, t) or "") for t in threads))
    return _("%(count)s comment thread(s) are still open (%(places)s). Resolve them before approving.") % {
        "count": len(threads),
        "places": ", ".join(places),
    }
