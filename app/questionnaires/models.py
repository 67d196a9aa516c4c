"""A review cycle's questionnaires: their definitions as JSON (``app/questionnaires/schemas.py`` says the shape).

A cycle has one per kind: ``states`` (what the States' reviews ask) and ``stakeholders`` (what organisations'
contributions ask, ``app/contributions``), both written, checked and authored by the same engine."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, VersionedMixin


class QuestionnaireKind(StrEnum):
    states = "states"
    stakeholders = "stakeholders"


class Questionnaire(TimestampMixin, VersionedMixin, Base):
    """What the States (or the organisations) are asked in one cycle. Every change is in the audit trail."""

    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("review_cycle_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    kind: Mapped[QuestionnaireKind] = mapped_column(
        default=QuestionnaireKind.states, server_default=QuestionnaireKind.states.value
    )
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
