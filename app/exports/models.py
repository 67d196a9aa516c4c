"""Background jobs: long generation (reports) run by ``gcm worker`` processes, the result kept in the database.

Any worker may claim a queued, due job (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, then an UPDATE that
only succeeds while the job is still queued); the running worker writes ``heartbeat_at`` every few seconds, so a
job whose worker died is noticed (stale heartbeat) and queued again or failed. Any web instance may serve the
result, since the bytes live in the row.
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
    country_profile = "country_profile"  # a State's profile (params: iso3, format)


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("language IN ('en', 'zh', 'fr', 'ru')", name="language_known"),
    )
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
    # Written by the running worker every few seconds; older than the stale limit: the worker died (see service).
    heartbeat_at: Mapped[datetime | None]
    # Runs started so far (a claim adds one); a failed or interrupted run is retried until MAX_ATTEMPTS.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # A queued job is not claimed before this (backoff after a failure); NULL: at once.
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    # Which worker process runs it (host:pid), for the operator's eyes only.
    worker: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # The language the document is written in (app.i18n.LOCALES); the worker renders within use_locale(language).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
