"""Background jobs: long generation (reports) run by a worker thread, the result kept in the database.

Any service instance may claim a queued job (an UPDATE that only succeeds while the job is still queued), and any
instance may serve its result, since the bytes live in the row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, VersionedMixin


class JobKind(StrEnum):
    synthesis = "synthesis"  # the regional synthesis report of a cycle (params: cycle_id, format)
    country_profile = "country_profile"  # a State's profile (params: iso3)


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "job"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),)
    __audited__ = False  # the result is a generated file, not anyone's content

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(default=JobStatus.queued, server_default="queued", index=True)
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    # What the job is doing now; for a failed job, the reason (never a stack trace).
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    result: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    media_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
