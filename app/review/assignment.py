"""Who in the secretariat reviews a submission: the queue's worklist ("assigned to me").

Any member of the secretariat or administrator assigns a review to one of them (or to nobody). The form carries the
assignment's version (0 before the first): a change someone made meanwhile answers 409 and changes nothing. The
assignment is its own row (``ReviewAssignment``), so the submission's version, which the review's forms hold, stays
as it is; the audit trail records every change (who assigned whom, when)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.db import utcnow
from app.errors import Conflict, FormInvalid
from app.i18n import _
from app.notifications import service as notifications
from app.notifications.models import NotificationKind
from app.review import queries
from app.review.models import ReviewAssignment
from app.submissions.models import Submission


def _stale() -> str:
    return _("Someone else changed who reviews this submission after you opened the page. Nothing was changed.")


def reviewers(session: Session) -> list[User]:
    """Whom a review may be assigned to: the active secretariat and administrators, by name."""
    return queries.list_reviewers(session)


def current(session: Session, submission: Submission) -> ReviewAssignment | None:
    return queries.get_assignment(session, submission.id)


def assign(
    session: Session, *, submission: Submission, assignee: str, actor: User, version: int
) -> ReviewAssignment | None:
    """Assign the submission to the reviewer whose id is ``assignee`` ("" for nobody), as read at ``version``.

    A choice that is not an active reviewer is refused beside the field (``FormInvalid``); a stale version is a
    Conflict. Nothing changes in either case. Choosing the reviewer already assigned changes nothing."""
    chosen: User | None = None
    if assignee.strip():
        chosen = next((u for u in reviewers(session) if str(u.id) == assignee.strip()), None)
        if chosen is None:
            raise FormInvalid(
                {"assignee": _("Choose a member of the secretariat or an administrator from the list, or nobody.")}
            )
    record = current(session, submission)
    if (record.version if record is not None else 0) != version:
        raise Conflict(_stale())
    chosen_id = chosen.id if chosen is not None else None
    if record is None:
        if chosen_id is None:
            return None
        record = ReviewAssignment(submission_id=submission.id, assigned_to_id=chosen_id, assigned_by_id=actor.id)
        try:
            with session.begin_nested():  # another reviewer assigning the same review at the same moment: theirs counts
                session.add(record)
                session.flush()
        except IntegrityError as exc:
            raise Conflict(_stale()) from exc
        _tell(session, submission, chosen, actor)
        return record
    if record.assigned_to_id != chosen_id:
        try:
            with session.begin_nested():
                record.assigned_to_id = chosen_id
                record.assigned_by_id = actor.id
                record.assigned_at = utcnow()
                session.flush()
        except StaleDataError as exc:  # changed by another transaction since it was read here
            raise Conflict(_stale()) from exc
        _tell(session, submission, chosen, actor)
    return record


def _tell(session: Session, submission: Submission, reviewer: User | None, actor: User) -> None:
    """Tell the reviewer a review is now theirs (in the app, and by e-mail when mail is configured), unless they
    took it themselves."""
    if reviewer is None or reviewer.id == actor.id:
        return
    country = notifications.country_name(session, submission)

    def message() -> str:
        return _("%(name)s assigned you the review of %(country)s.") % {"name": actor.name, "country": country}

    notifications.notify(session, [reviewer], NotificationKind.assignment, message, f"/submissions/{submission.id}")
