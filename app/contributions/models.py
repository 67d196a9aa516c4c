"""Organisations' contributions to a review cycle (issue 16, whole-of-society approach): answers to the cycle's
stakeholder questionnaire, moderated by the secretariat before anyone else reads them.

A contribution belongs to one organisation and one cycle (one per pair). Its status moves
draft → submitted → accepted | returned | declined; a returned contribution is edited and submitted again. Every
move is a ``contribution_decision`` row (who, when, why). Answers are ``contribution_answer`` rows as the States'
are ``answer`` rows: ``part`` ``section:<key>`` or ``objective:<n>``, ``key`` the question's, ``value`` JSON checked
by ``app.questionnaires.answers``, ``text`` the searchable text.

Each part's form is locked by its own ``contribution_part`` row (its ``version``), as a State's review is by its
section and objective report rows: two people of an organisation editing two parts never conflict, two editing the
same part do (the second is shown both versions). The contribution's own ``version`` locks its scope (objectives,
consent) and the moderation. Documents attached to file questions are ``contribution_file`` rows (bytes in the
database, as ``answer_file``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

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
    parts: Mapped[list[ContributionPart]] = relationship(lazy="raise", order_by="ContributionPart.id")


class ContributionPart(TimestampMixin, VersionedMixin, Base):
    """The lock of one part's form (``section:<key>`` or ``objective:<n>``): made by the part's first save (a form
    of a part never saved carries version 0), its version up with every save of the part; who saved it last."""

    __tablename__ = "contribution_part"
    __table_args__ = (UniqueConstraint("contribution_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(64))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class ContributionFile(TimestampMixin, Base):
    """A document attached in answer to a file question of a contribution (PDF, DOCX or XLSX, checked by
    ``app.files``). Kept in the database, so that every instance serves it and ``gcm dump``/``restore`` carries it;
    the answer's value names it (``{"file_id", "name", "size", "media_type"}``). Replaced by a new upload, removed
    with its answer."""

    __tablename__ = "contribution_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


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
