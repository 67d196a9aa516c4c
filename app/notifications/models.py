"""In-app notifications (each also sent by e-mail when mail is configured)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class NotificationKind(StrEnum):
    decision = "decision"  # the secretariat decided on the country's review (to its focal points)
    submitted = "submitted"  # a review was submitted or resubmitted (to the secretariat)
    comment = "comment"  # a new comment in a thread (to the other side)
    reminder = "reminder"  # the deadline is near or passed (to focal points)
    nudge = "nudge"  # submissions waiting for the secretariat (to the secretariat)
    assignment = "assignment"  # a review was assigned to a reviewer (to them, unless they assigned it themselves)


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        # A reminder is sent once: `gcm remind` run twice the same day finds the key already there.
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )
    # Copies of messages, not content: kept out of the audit trail.
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind]
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(200))


class OutboxStatus(StrEnum):
    pending = "pending"  # to be sent (again) from next_attempt_at on
    sent = "sent"
    failed = "failed"  # gave up after MAX_ATTEMPTS (the notification itself is still in the app)


class OutboxMail(Base):
    """A mail to send, written in the transaction that caused it and delivered by ``gcm worker`` (with retries).

    A request never talks to the SMTP server: a slow or failing server cannot delay or fail anyone's action, and
    work that is rolled back sends nothing.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)
    __audited__ = False  # copies of notifications

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(default=OutboxStatus.pending, server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Not tried before this: now for a new mail, later after a failure (backoff) or while a worker holds it.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The body holds a secret (a one-time password link): once the mail is sent or given up, the body is replaced by
    # a note (mail.SECRET_REMOVED), so the link is not kept in the database after it has left.
    secret: Mapped[bool] = mapped_column(default=False, server_default=false())
