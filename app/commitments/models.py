"""Pledges / commitments: measurable, time-bound commitments to advance objectives and principles."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Country, Objective, Principle
from app.db import Base, TimestampMixin, VersionedMixin


class CommitmentForm(StrEnum):
    """The form of a pledge, as on the UN Network on Migration's pledge form."""

    financial = "financial"
    human_resources = "human_resources"
    process = "process"
    policy = "policy"


class PledgeType(StrEnum):
    individual = "individual"
    common = "common"  # made together with other entities
    partnership = "partnership"  # made in partnership with named partners
    matching = "matching"  # matches another pledge, cited by its reference


class CommitmentStatus(StrEnum):
    pledged = "pledged"
    in_progress = "in_progress"
    fulfilled = "fulfilled"
    withdrawn = "withdrawn"


commitment_objective = Table(
    "commitment_objective",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("objective_id", ForeignKey("objective.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

commitment_principle = Table(
    "commitment_principle",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principle.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Commitment(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "commitment"
    __table_args__ = (
        CheckConstraint(
            "timeframe_end IS NULL OR timeframe_start IS NULL OR timeframe_start <= timeframe_end",
            name="timeframe_in_order",
        ),
        CheckConstraint(
            "(pledge_type = 'matching') = (matched_commitment_id IS NOT NULL)", name="matching_cites_pledge"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable public identifier (e.g. "PHL-2022-003") that matching pledges cite.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    form: Mapped[CommitmentForm]
    pledge_type: Mapped[PledgeType] = mapped_column(default=PledgeType.individual, server_default="individual")
    partners: Mapped[str] = mapped_column(Text, default="", server_default="")
    matched_commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="RESTRICT"), index=True
    )
    scope: Mapped[str] = mapped_column(Text, default="", server_default="")
    timeframe_start: Mapped[date | None]
    timeframe_end: Mapped[date | None]
    status: Mapped[CommitmentStatus] = mapped_column(default=CommitmentStatus.pledged, server_default="pledged")

    country: Mapped[Country] = relationship(lazy="raise")
    matched_commitment: Mapped[Commitment | None] = relationship(remote_side=[id], lazy="raise")
    objectives: Mapped[list[Objective]] = relationship(
        secondary=commitment_objective, lazy="raise", order_by="Objective.number"
    )
    principles: Mapped[list[Principle]] = relationship(
        secondary=commitment_principle, lazy="raise", order_by="Principle.code"
    )
    # Collections recorded in the audit trail (by their natural keys) beside the columns.
    __audit_collections__: ClassVar[dict[str, str]] = {"objectives": "number", "principles": "code"}

    updates: Mapped[list[CommitmentUpdate]] = relationship(
        back_populates="commitment",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="CommitmentUpdate.reported_on",
    )


class CommitmentUpdate(TimestampMixin, VersionedMixin, Base):
    """A dated report of progress on a commitment."""

    __tablename__ = "commitment_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    reported_on: Mapped[date]
    status: Mapped[CommitmentStatus]
    progress: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    commitment: Mapped[Commitment] = relationship(back_populates="updates", lazy="raise")
