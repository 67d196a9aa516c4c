"""Review cycles: the period in which States submit their voluntary GCM review."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, VersionedMixin


class CycleStatus(StrEnum):
    planned = "planned"
    open = "open"
    closed = "closed"


class ReviewCycle(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "review_cycle"
    __table_args__ = (CheckConstraint("opens_on <= deadline AND deadline <= closes_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    opens_on: Mapped[date]
    deadline: Mapped[date]
    closes_on: Mapped[date]
    status: Mapped[CycleStatus] = mapped_column(default=CycleStatus.planned, server_default="planned")
