"""An edited review file waiting between its preview and its acceptance (as ``app/imports`` keeps a
``PendingImport``): only its uploader may accept it, until ``expires_at``; nothing reaches the answers before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class OfflineUpload(Base):
    """The bytes of an uploaded DOCX or XLSX of a review; each preview reads them again against the answers as they
    are then. Deleted when it expires (or a newer upload of the same user replaces the oldest ones)."""

    __tablename__ = "offline_upload"
    __audited__ = False  # a copy of an uploaded file, not anyone's content; the answers it changes are audited

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # A State's review, an organisation's contribution, or a country's pledges (one of the three).
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(10))  # docx | xlsx
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
