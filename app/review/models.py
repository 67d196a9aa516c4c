"""The secretariat's decisions on a submission, each with who, when and why, and who reviews it.

The decisions' tables live with the submission (``app/submissions/models.py``: a submit is recorded there too, and
the submission's page reads them), so that submissions never import review; they are named here for review's code.
The assignment is review's own: only the queue reads it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base, TimestampMixin, VersionedMixin, utcnow
from app.submissions.models import DecisionKind, ReviewDecision, ReviewSnapshot

__all__ = ["DecisionKind", "ReviewAssignment", "ReviewDecision", "ReviewSnapshot"]


class ReviewAssignment(TimestampMixin, VersionedMixin, Base):
    """The reviewer of the secretariat (or administrator) a submission is assigned to: the queue's "mine".

    A table of its own rather than a column of ``submission``: assigning must not change the submission's version,
    which the focal points' and reviewers' forms hold. No row, or ``assigned_to_id`` null: nobody is assigned
    (unassigning keeps the row, so the audit trail shows who took the review off whom). Every change is in the
    audit trail."""

    __tablename__ = "review_assignment"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id], lazy="raise")
