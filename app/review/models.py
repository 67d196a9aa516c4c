"""The secretariat's decisions on a submission, each with who, when and why."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base, utcnow


class DecisionKind(StrEnum):
    submit = "submit"  # by the focal point
    request_changes = "request_changes"
    approve = "approve"
    publish = "publish"
    reopen = "reopen"


class ReviewDecision(Base):
    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DecisionKind]
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The parts reopened for editing ("section:<key>", "objective:<n>"), for request_changes and reopen.
    parts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped[User | None] = relationship(lazy="raise")


class ReviewSnapshot(Base):
    """The text of a part as the reviewer saw it when sending it back: the "changed since my last review" base."""

    __tablename__ = "review_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decision.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(64))  # "section:<key>" or "objective:<n>"
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
