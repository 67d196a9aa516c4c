"""In-app notifications (each also sent by e-mail when mail is configured)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class NotificationKind(StrEnum):
    decision = "decision"  # the secretariat decided on the country's review (to its focal points)
    submitted = "submitted"  # a review was submitted or resubmitted (to the secretariat)
    comment = "comment"  # a new comment in a thread (to the other side)
    reminder = "reminder"  # the deadline is near or passed (to focal points)
    nudge = "nudge"  # submissions waiting for the secretariat (to the secretariat)


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
