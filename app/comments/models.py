"""Comment threads between the secretariat and a State's focal points, one per question on a part of a review."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base, TimestampMixin, VersionedMixin, utcnow


class ThreadTarget(StrEnum):
    section = "section"  # target_id: a submission_section row
    objective = "objective"  # target_id: an objective_report row


class ThreadStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class CommentThread(TimestampMixin, VersionedMixin, Base):
    """Opened by a reviewer on a section or objective report; either side answers, resolves or reopens it."""

    __tablename__ = "comment_thread"
    __table_args__ = (Index("ix_comment_thread_target", "submission_id", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[ThreadTarget]
    target_id: Mapped[int]
    status: Mapped[ThreadStatus] = mapped_column(default=ThreadStatus.open, server_default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id], lazy="raise")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="thread", lazy="raise", cascade="all, delete-orphan", order_by="Comment.id"
    )


class Comment(Base):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("comment_thread.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[CommentThread] = relationship(back_populates="comments", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
