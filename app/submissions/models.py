"""A State's voluntary GCM review for a cycle: general sections and one report per objective."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.auth.models import User
from app.catalog.models import Country, Objective
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
    """The default questionnaire's progress scale (its steps are numbered 1-5 in the order here); a cycle's
    questionnaire defines its own scale, and a rating answer is the number of its step."""

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
    answers: Mapped[list[Answer]] = relationship(
        back_populates="submission", lazy="raise", cascade="all, delete-orphan", order_by="Answer.id"
    )


class SubmissionSection(TimestampMixin, VersionedMixin, Base):
    """A general section of the review (its key is the questionnaire's section key): the part's workflow state.

    Its answers are ``Answer`` rows of part ``section:<key>``; the version goes up with every save of the part."""

    __tablename__ = "submission_section"
    __table_args__ = (UniqueConstraint("submission_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(63))
    # Open for editing while the secretariat has asked for changes to this part.
    reopened: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="sections", lazy="raise")


class ObjectiveReport(TimestampMixin, VersionedMixin, Base):
    """The report on one objective: the part's workflow state and two figures derived from its answers (``Answer``
    rows of part ``objective:<n>``) when they are saved, which the dashboards count: whether the objective is
    reported this cycle (the answer to the objective question ``reporting``) and the step of its rating question."""

    __tablename__ = "objective_report"
    __table_args__ = (UniqueConstraint("submission_id", "objective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="RESTRICT"), index=True)
    reporting: Mapped[ReportingChoice] = mapped_column(default=ReportingChoice.reported, server_default="reported")
    rating: Mapped[int | None]  # the step number of the rating question's answer
    # Open for editing while the secretariat has asked for changes to this part.
    reopened: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="objective_reports", lazy="raise")
    objective: Mapped[Objective] = relationship(lazy="raise")


class Answer(TimestampMixin, VersionedMixin, Base):
    """The answer to one question of the cycle's questionnaire, in one part of a review.

    ``part`` is ``section:<key>`` or ``objective:<n>``; ``key`` the question's key. ``value`` is JSON: a string
    (texts, a date as YYYY-MM-DD, a single choice's value), a list of strings (multiple choice values, principle
    codes, pledge references), a boolean (yes/no) or a number (number, rating step). A question not answered has
    no row, or (once cleared, its history kept) a row whose value is null. ``text`` is the searchable text (the
    value of a text question, else empty). Each answer has its own version (the API's optimistic lock); the part's
    row has one for the forms.
    """

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("submission_id", "part", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(63))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The text's language (en, fr, ru, zh; None: empty or undetermined), detected when saved unless its writer
    # chose it (language_set); app/questionnaires/languages.py.
    language: Mapped[str | None] = mapped_column(String(8))
    language_set: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="answers", lazy="raise")


class AnswerChoice(Base):
    """One value an answer chose, kept beside the answer so that SQL counts and filters by it on every database: a
    single or multiple choice's values, "true"/"false" for yes/no, a rating's step, principle codes, pledge
    references. Written with the answer (``app.submissions.queries.set_choices``), deleted with it."""

    __tablename__ = "answer_choice"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class AnswerFile(TimestampMixin, Base):
    """A document attached in answer to a file question (PDF, DOCX or XLSX). Kept in the database, so that every
    instance of the service can serve it and ``gcm dump``/``restore`` carries it; the answer's value names it
    (``{"file_id", "name", "size", "media_type"}``). Replaced by a new upload, removed with its answer."""

    __tablename__ = "answer_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


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
    """A part reopened by a decision (request changes, reopen): its text as the reviewer saw it when sending it back
    (the "changed since my last review" base) and what the reviewer asked of this part (``reason``; empty: the
    decision's reason alone, as for every row written before reasons per part)."""

    __tablename__ = "review_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decision.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(64))  # "section:<key>" or "objective:<n>"
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
