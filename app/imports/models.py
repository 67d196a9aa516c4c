"""An upload waiting between its preview and its confirmation, kept in the database so any instance may confirm it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class PendingImport(Base):
    """The bytes of a previewed file and what its preview read; only its uploader may confirm it, until
    ``expires_at``; deleted on confirm."""

    __tablename__ = "pending_import"
    __audited__ = False  # a copy of an uploaded file, not anyone's content; the import itself is audited

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # [[id, version, line], ...] of every existing row the file matched at the preview: confirm refuses the file
    # if any of them changed meanwhile (or a row was added or removed), instead of overwriting what it did not show.
    seen: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
