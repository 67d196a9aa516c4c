"""A review cycle's questionnaire: its definition as JSON (``app/questionnaires/schemas.py`` says the shape)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, VersionedMixin


class Questionnaire(TimestampMixin, VersionedMixin, Base):
    """What the States are asked in one cycle. Every change is in the audit trail (before and after)."""

    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
