"""Outgoing e-mail: through SMTP when ``GCM_SMTP_URL`` is set, otherwise written to the ``gcm.mail`` log.

Mail is queued on the session and sent only after the transaction commits (nothing is sent for work that is
rolled back). A failure to send is logged and never undoes or fails the user's action.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.config import get_settings

log = logging.getLogger("gcm.mail")
OUTBOX = "_mail_outbox"
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


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
    mails = list(mails)
    if not mails:
        return 0
    if not smtp_url:
        for mail in mails:
            log.info("Mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
        return len(mails)
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
            sent = 0
            for mail in mails:
                try:
                    smtp.send_message(_message(mail, mail_from))
                    sent += 1
                except smtplib.SMTPException:
                    log.exception("Could not send mail to %s: %s", mail.to, mail.subject)
            return sent
    except (OSError, smtplib.SMTPException, ValueError):
        log.exception("Could not send %s mail(s) through %s", len(mails), _redacted(smtp_url))
        return 0


def _connect(host: str, port: int, *, secure: bool) -> smtplib.SMTP:
    if secure:
        return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
    smtp.ehlo()
    return smtp


def _redacted(smtp_url: str) -> str:
    url = urlsplit(smtp_url)
    return f"{url.scheme}://{url.hostname}:{url.port or ''}"


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the transaction may still be rolled back
    mails = session.info.pop(OUTBOX, [])
    if mails:
        settings = get_settings()
        deliver(mails, smtp_url=settings.smtp_url, mail_from=settings.mail_from)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session, *_args: Any) -> None:
    if not session.in_nested_transaction():
        session.info.pop(OUTBOX, None)
