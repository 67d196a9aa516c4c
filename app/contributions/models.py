"""Organisations' contributions to a review cycle (issue 16, whole-of-society approach): answers to the cycle's
stakeholder questionnaire, moderated by the secretariat before anyone else reads them.

A contribution belongs to one organisation and one cycle (one per pair). Its status moves
draft → submitted → accepted | returned | declined; a returned contribution is edited and submitted again. Every
move is a ``contribution_decision`` row (who, when, why). Answers are ``contribution_answer`` rows as the States'
are ``answer`` rows: ``part`` ``section:<key>`` or ``objective:<n>``, ``key`` the question's, ``value`` JSON checked
by ``app.questionnaires.answers``, ``text`` the searchable text.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.cycles.models import ReviewCycle
from app.db import Base, TimestampMixin, VersionedMixin, utcnow
from app.i18n import _
from app.organisations.models import Organisation


class ContributionStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"
    declined = "declined"


def status_labels() -> dict[ContributionStatus, str]:
    s = ContributionStatus
    return {
        s.draft: _("Draft"),
        s.submitted: _("Submitted, awaiting moderation"),
        s.returned: _("Returned for changes"),
        s.accepted: _("Accepted for publication"),
        s.declined: _("Declined"),
    }


def decision_labels() -> dict[str, str]:
    return {"submit": _("Submitted"), "return": _("Returned"), "accept": _("Accepted"), "decline": _("Declined")}


class Consent(StrEnum):
    name = "name"  # cite the organisation by its name
    type_only = "type_only"  # cite it by its type only ("a trade union")


class ContributionDecisionKind(StrEnum):
    submit = "submit"
    return_ = "return"
    accept = "accept"
    decline = "decline"


class Contribution(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "contribution"
    __table_args__ = (UniqueConstraint("organisation_id", "review_cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    review_cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ContributionStatus] = mapped_column(default=ContributionStatus.draft, index=True)
    objectives: Mapped[list[int]] = mapped_column(JSON, default=list)  # the objective numbers chosen, in order
    consent: Mapped[Consent] = mapped_column(default=Consent.name)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    review_cycle: Mapped[ReviewCycle] = relationship(lazy="raise")
    answers: Mapped[list[ContributionAnswer]] = relationship(
        back_populates="contribution", lazy="raise", order_by="ContributionAnswer.id"
    )
    decisions: Mapped[list[ContributionDecision]] = relationship(
        lazy="raise", order_by="ContributionDecision.id", cascade="all, delete-orphan"
    )


class ContributionAnswer(TimestampMixin, VersionedMixin, Base):
    """One answer of a contribution (as ``answer`` for a State's review)."""

    __tablename__ = "contribution_answer"
    __table_args__ = (UniqueConstraint("contribution_id", "part", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(63))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    language: Mapped[str | None] = mapped_column(String(8))  # as answer.language
    language_set: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    contribution: Mapped[Contribution] = relationship(back_populates="answers", lazy="raise")


class ContributionDecision(Base):
    """A move of a contribution's status: submitted by the organisation, or the secretariat's accept, return or
    decline (return and decline carry their reason)."""

    __tablename__ = "contribution_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ContributionDecisionKind]
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(lazy="raise")
