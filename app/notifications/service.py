"""Notify users in the application (and by e-mail): decisions, submissions, comments, reminders.

Who receives what:
- a decision of the secretariat (request changes, approve, publish, reopen) → the country's focal points
  (``app/review/notices.py``, which review calls: notifications know nothing of review);
- a submission or resubmission → the secretariat's reviewers;
- a new comment → the other side of the thread (focal points, or the reviewers taking part in it);
- reminders and nudges → see ``app/notifications/reminders.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Country
from app.config import get_settings
from app.db import utcnow
from app.i18n import _, use_locale
from app.notifications import mail, queries
from app.notifications.models import Notification, NotificationKind
from app.submissions.models import Submission

EXCERPT = 200

#: A notification's text: a function is called once per recipient, in the recipient's language
#: (``user.language``; English when they chose none), so each reads the notice and the e-mail in their own.
Message = str | Callable[[], str]


def excerpt(text: str, length: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def notify(
    session: Session,
    users: Iterable[User],
    kind: NotificationKind,
    message: Message,
    link: str = "",
    *,
    dedupe_key: str | None = None,
    exclude: User | None = None,
) -> list[Notification]:
    """One notification per user (skipping ``exclude``, and users who already have ``dedupe_key``), and a mail each."""
    recipients = {u.id: u for u in users if exclude is None or u.id != exclude.id}
    if dedupe_key is not None:
        for user_id in queries.existing_keys(session, list(recipients), dedupe_key):
            recipients.pop(user_id)
    created: list[Notification] = []
    for user in recipients.values():
        with use_locale(user.language):
            text = message() if callable(message) else message
            letter = _mail(user, text, link)
        note = Notification(user_id=user.id, kind=kind, message=text, link=link, dedupe_key=dedupe_key)
        try:
            with session.begin_nested():  # another run inserting the same key at the same moment: theirs counts
                session.add(note)
                session.flush()
        except IntegrityError:
            continue
        created.append(note)
        mail.queue(session, letter)
    return created


def _mail(user: User, message: str, link: str) -> mail.Mail:
    subject = _("GCM regional review: %(message)s") % {"message": excerpt(message, 80)}
    body = message
    if link:
        body += "\n\n" + get_settings().public_url.rstrip("/") + link
    return mail.Mail(to=user.email, subject=subject, body=body)


def mark_read(session: Session, note: Notification) -> None:
    if note.read_at is None:
        note.read_at = utcnow()
        session.flush()


def mark_all_read(session: Session, user: User) -> int:
    notes = [n for n in queries.list_notifications(session, user.id, limit=10_000) if n.read_at is None]
    now = utcnow()
    for note in notes:
        note.read_at = now
    session.flush()
    return len(notes)


def country_name(session: Session, submission: Submission) -> str:
    country = session.get(Country, submission.country_id)
    return country.name if country else ""


def submitted(session: Session, submission: Submission, focal_point: User, *, resubmitted: bool) -> None:
    """Tell the secretariat a review is waiting for it."""
    country = country_name(session, submission)

    def message() -> str:
        if resubmitted:
            return _("%(country)s resubmitted its voluntary GCM review after the changes you asked for.") % {
                "country": country
            }
        return _("%(country)s submitted its voluntary GCM review.") % {"country": country}

    users = queries.secretariat(session)
    notify(
        session,
        users,
        NotificationKind.submitted,
        message,
        f"/submissions/{submission.id}",
        exclude=focal_point,
    )
