"""report language: the language a report job's document is written in (``job.language``)

One of ESCAP's working languages (en, zh, fr, ru), chosen on the exports page ("Language of the document", the
page's language by default); the worker renders the document within ``use_locale(job.language)``. Jobs queued
before this revision are English, as they were.

Revision ID: bf5c6b7d8e94
Revises: ae4b5a6c7d83
Create Date: 2026-12-01 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bf5c6b7d8e94"
down_revision: str | Sequence[str] | None = "ae4b5a6c7d83"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), server_default="en", nullable=False))
        batch.create_check_constraint(op.f("ck_job_language_known"), "language IN ('en', 'zh', 'fr', 'ru')")


def downgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.drop_constraint(op.f("ck_job_language_known"), type_="check")
        batch.drop_column("language")
