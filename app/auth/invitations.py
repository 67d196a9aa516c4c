"""One-time password links by e-mail: an invitation for a new account, or a new link for an existing one.

When outgoing mail is configured (``GCM_SMTP_URL``), the link an administrator issues (a new user, "new password
link") or the one made for a stakeholder whose request was accepted is mailed to the user, in their language,
through the mail outbox (``app/notifications/mail.py``: written as the transaction commits, sent by ``gcm worker``),
and the page says it was sent instead of showing it. Without mail, the page shows the link once, to be sent by hand,
as before. The outbox row is marked secret: its body, which holds the link, is removed once the mail has left."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.models import User
from app.config import Settings
from app.i18n import _, format_datetime, use_locale
from app.notifications import mail


def mail_configured(settings: Settings) -> bool:
    """Whether links are sent by e-mail (else shown on the page, to be passed on by hand)."""
    return bool(settings.smtp_url)


def link_base(settings: Settings, request_base: str) -> str:
    """The address before the link's path: the service's public address when set (a mail is read elsewhere),
    else the address the request came to."""
    return (settings.public_url or request_base).rstrip("/")


def send_password_link(session: Session, *, user: User, link: str, expires_at: datetime, new_account: bool) -> None:
    """Queue the mail with the link to ``user`` (sent once the transaction commits), in the user's language."""
    with use_locale(user.language):
        expires = format_datetime(expires_at, format="long")
        if new_account:
            subject = _("GCM regional review: set your password")
            opening = _(
                "An account has been made for you in the GCM regional review (%(email)s). Choose your password "
                "with this link:"
            ) % {"email": user.email}
        else:
            subject = _("GCM regional review: a new link to set your password")
            opening = _(
                "An administrator has issued a new link to set the password of your account (%(email)s). Earlier "
                "links no longer work; your current password works until you use this one:"
            ) % {"email": user.email}
        closing = _(
            "The link works once and expires on %(date)s. If it expires, ask the secretariat for a new one. If you "
            "did not expect this e-mail, you can ignore it."
        ) % {"date": expires}
    body = f"{opening}\n\n{link}\n\n{closing}"
    mail.queue(session, mail.Mail(to=user.email, subject=subject, body=body, secret=True))
