"""A State's voluntary GCM review for a cycle: general sections and one report per objective."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.catalog.models import Country, Objective, Principle
from app.commitments.models import Commitment
from app.cycles.models import ReviewCycle
from app.db import Base, TimestampMixin, VersionedMixin, utcnow


class SubmissionStatus(StrEnum):
    """A country with no submission row for a cycle has "not started"."""

    draft = "draft"
    submitted = "submitted"
    changes_requested = "changes_requested"
    approved = "approved"
    published = "published"


class SectionKey(StrEnum):
    """The general sections of a voluntary GCM review."""

    preparation = "preparation"  # how the review was prepared (whole-of-government, whole-of-society)
    policy_environment = "policy_environment"  # policy and institutional environment, implementation plan
    means_of_implementation = "means_of_implementation"  # resources, partnerships, capacity
    next_steps = "next_steps"


class ReportingChoice(StrEnum):
    reported = "reported"
    not_reported = "not_reported"  # the State does not report this objective this cycle (reason required)


class ProgressRating(StrEnum):
    """The scale a State rates its progress on an objective with (explained on the form)."""

    not_started = "not_started"
    initial = "initial"
    under_way = "under_way"
    advanced = "advanced"
    achieved = "achieved"


class Submission(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("country_id", "review_cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"), index=True)
    review_cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="RESTRICT"), index=True)
    status: Mapped[SubmissionStatus] = mapped_column(default=SubmissionStatus.draft, server_default="draft")
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Set when the draft was started from the country's last approved submission of an earlier cycle.
    carried_forward_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), index=True
    )

    country: Mapped[Country] = relationship(lazy="raise")
    review_cycle: Mapped[ReviewCycle] = relationship(lazy="raise")
    sections: Mapped[list[SubmissionSection]] = relationship(
        back_populates="submission", lazy="raise", cascade="all, delete-orphan"
    )
    objective_reports: Mapped[list[ObjectiveReport]] = relationship(
        back_populates="submission", lazy="raise", cascade="all, delete-orphan"
    )


class SubmissionSection(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "submission_section"
    __table_args__ = (UniqueConstraint("submission_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    key: Mapped[SectionKey]
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Open for editing while the secretariat has asked for changes to this part.
    reopened: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="sections", lazy="raise")


objective_report_principle = Table(
    "objective_report_principle",
    Base.metadata,
    Column("objective_report_id", ForeignKey("objective_report.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principle.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


objective_report_commitment = Table(
    "objective_report_commitment",
    Base.metadata,
    Column("objective_report_id", ForeignKey("objective_report.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ObjectiveReport(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "objective_report"
    __table_args__ = (UniqueConstraint("submission_id", "objective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="RESTRICT"), index=True)
    reporting: Mapped[ReportingChoice] = mapped_column(default=ReportingChoice.reported, server_default="reported")
    not_reported_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    progress_rating: Mapped[ProgressRating | None]
    narrative: Mapped[str] = mapped_column(Text, default="", server_default="")
    laws_and_policies: Mapped[str] = mapped_column(Text, default="", server_default="")
    good_practices: Mapped[str] = mapped_column(Text, default="", server_default="")
    challenges: Mapped[str] = mapped_column(Text, default="", server_default="")
    partners: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Open for editing while the secretariat has asked for changes to this part.
    reopened: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="objective_reports", lazy="raise")
    objective: Mapped[Objective] = relationship(lazy="raise")
    principles: Mapped[list[Principle]] = relationship(
        secondary=objective_report_principle, lazy="raise", order_by="Principle.code"
    )
    commitments: Mapped[list[Commitment]] = relationship(
        secondary=objective_report_commitment, lazy="raise", order_by="Commitment.reference"
    )

    # Collections recorded in the audit trail (by their natural keys) beside the columns.
    __audit_collections__: ClassVar[dict[str, str]] = {"principles": "code", "commitments": "reference"}


# The record of decisions on a submission (a focal point's submit, the secretariat's others) and the text each
# sending back kept. Here, below the review feature, so that submissions read and write them without importing
# app.review; the state machine that makes the secretariat's decisions is app/review/service.py.


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
