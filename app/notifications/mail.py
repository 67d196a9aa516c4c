"""Outgoing e-mail: through SMTP when ``GCM_SMTP_URL`` is set, otherwise written to the ``gcm.mail`` log.

``queue()`` keeps a mail on the session; when the transaction commits, the mail is written to the ``mail_outbox``
table in that same transaction (nothing is kept for work that is rolled back), and ``gcm worker`` delivers it
(``deliver_outbox``), trying again with a growing wait when the server fails. No request ever talks to the SMTP
server, so a slow or broken one never delays or fails anyone's action.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import case, event, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.notifications import queries
from app.notifications.models import OutboxMail, OutboxStatus

log = logging.getLogger("gcm.mail")
OUTBOX = "_mail_outbox"  # session.info key: the mail queued by the transaction under way
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8  # tries of one mail before it is marked failed (about four hours of retries)
RETRY_BASE = timedelta(minutes=1)
LEASE = timedelta(minutes=5)  # a claimed mail is not tried by anyone else for this long (the sender may have died)


SECRET_REMOVED = "(removed once sent: it held a one-time link)"  # noqa: S105 - a note, not a password


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    # The body holds a secret (a one-time link): the outbox keeps it only until the mail is sent or given up.
    secret: bool = False


def queue(session: Session, mail: Mail) -> None:
    """Send ``mail`` once the session's transaction has committed."""
    session.info.setdefault(OUTBOX, []).append(mail)


def pending(session: Session) -> list[Mail]:
    return list(session.info.get(OUTBOX, []))


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def deliver(mails: Iterable[Mail], *, smtp_url: str, mail_from: str) -> int:
    """Send each mail (or log it without ``smtp_url``); returns how many were handed over. Never raises."""
    return sum(error is None for error in send_each(mails, smtp_url=smtp_url, mail_from=mail_from))


def send_each(mails: Iterable[Mail], *, smtp_url: str, mail_from: str) -> list[str | None]:
    """Send the mails over one connection; per mail, None when it was handed over, else why not. Never raises."""
    mails = list(mails)
    if not mails:
        return []
    if not smtp_url:
        for mail in mails:
            log.info("Mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
        return [None] * len(mails)
    results: list[str | None] = []
    try:
        url = urlsplit(smtp_url)
        secure = url.scheme == "smtps"
        port = url.port or (465 if secure else 25)
        with _connect(url.hostname or "localhost", port, secure=secure) as smtp:
            if not secure and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            for mail in mails:
                try:
                    smtp.send_message(_message(mail, mail_from))
                    results.append(None)
                except smtplib.SMTPException as exc:
                    log.exception("Could not send mail to %s: %s", mail.to, mail.subject)
                    results.append(f"{exc.__class__.__name__}: {exc}")
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        log.exception("Could not send %s mail(s) through %s", len(mails) - len(results), _redacted(smtp_url))
        reason = f"{exc.__class__.__name__}: {exc}"
        results += [reason] * (len(mails) - len(results))
    return results


def _connect(host: str, port: int, *, secure: bool) -> smtplib.SMTP:
    if secure:
        return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
    smtp.ehlo()
    return smtp


def _redacted(smtp_url: str) -> str:
    url = urlsplit(smtp_url)
    return f"{url.scheme}://{url.hostname}:{url.port or ''}"


# ---- the outbox ------------------------------------------------------------------------------------------------


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    """The queued mail becomes outbox rows in the committing transaction: they exist if and only if it commits."""
    if session.in_nested_transaction():
        return  # a savepoint: the transaction may still be rolled back, and may still drop its mail (app/demo.py)
    mails = session.info.pop(OUTBOX, [])
    if mails:
        session.add_all(OutboxMail(recipient=m.to, subject=m.subject, body=m.body, secret=m.secret) for m in mails)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session, *_args: Any) -> None:
    if not session.in_nested_transaction():
        session.info.pop(OUTBOX, None)


def mail_backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4, 8... minutes, at most six hours."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), timedelta(hours=6))


@dataclass(frozen=True)
class OutboxRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def mail_waiting(session: Session, *, now: datetime | None = None) -> bool:
    """Whether any mail is due: one read, so an idle worker on SQLite never takes the write lock."""
    return queries.any_mail_due(session, now or utcnow())


def deliver_outbox(
    session: Session, *, smtp_url: str, mail_from: str, limit: int = 50, now: datetime | None = None
) -> OutboxRun:
    """Send the due pending mail (``gcm worker`` calls this in its loop).

    Each row is claimed first, committed, with ``UPDATE ... SET attempts = attempts + 1, next_attempt_at = now +
    LEASE WHERE id = :id AND status = 'pending' AND attempts = :seen`` (PostgreSQL also skips rows another worker
    has locked), so two workers never send the same mail, no lock is held while talking to the server, and a worker
    that dies mid-send leaves the row to be tried again once the lease ends. Then sent → ``sent``; a failure →
    tried again after ``mail_backoff``, ``failed`` after MAX_ATTEMPTS tries.
    """
    now = now or utcnow()
    skip_locked = session.get_bind().dialect.name == "postgresql"
    claimed: list[tuple[int, int, Mail]] = []
    for row in queries.due_mail(session, now, limit=limit, skip_locked=skip_locked):
        taken = session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == row.id, OutboxMail.status == OutboxStatus.pending,
                   OutboxMail.attempts == row.attempts)
            .values(attempts=row.attempts + 1, next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append((row.id, row.attempts + 1, Mail(row.recipient, row.subject, row.body)))
    session.commit()
    if not claimed:
        return OutboxRun()
    errors = send_each([m for _id, _n, m in claimed], smtp_url=smtp_url, mail_from=mail_from)
    sent = retried = failed = 0
    finished = utcnow()
    for (mail_id, attempts, _mail), error in zip(claimed, errors, strict=True):
        mine = (OutboxMail.id == mail_id, OutboxMail.status == OutboxStatus.pending, OutboxMail.attempts == attempts)
        if error is None:
            values: dict[str, Any] = {"status": OutboxStatus.sent, "sent_at": finished, "last_error": ""}
            sent += 1
        elif attempts >= MAX_ATTEMPTS:
            values = {"status": OutboxStatus.failed, "last_error": error[:1000]}
            failed += 1
        else:
            values = {"next_attempt_at": finished + mail_backoff(attempts), "last_error": error[:1000]}
            retried += 1
        if "status" in values:  # sent or given up: a secret (a one-time link) is not kept
            values["body"] = case((OutboxMail.secret.is_(True), SECRET_REMOVED), else_=OutboxMail.body)
        session.execute(update(OutboxMail).where(*mine).values(**values).execution_options(synchronize_session=False))
    session.commit()
    if retried or failed:
        log.warning("Mail: %s sent, %s to try again, %s given up", sent, retried, failed)
    return OutboxRun(sent, retried, failed)
