"""offline uploads: edited review files held for their preview

A focal point downloads the review (a stakeholder, their organisation's contribution) as DOCX or XLSX, or their
country's pledges as XLSX (``country_id``), edits it
offline and uploads it back; the file waits in this table between its preview and its acceptance (its uploader's
only, until it expires), so nothing is written to the answers before the person accepts, and any instance can show
the preview.

Revision ID: f3a4b5c6d7e8
Revises: e2f3a4b5c6d7
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3a4b5c6d7e8"
down_revision: str | Sequence[str] | None = "e2f3a4b5c6d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offline_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), server_default="", nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_offline_upload_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_offline_upload_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_offline_upload_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_offline_upload_country_id_country"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_upload")),
    )
    with op.batch_alter_table("offline_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offline_upload_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_upload_submission_id"), ["submission_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_upload_contribution_id"), ["contribution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_upload_country_id"), ["country_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_upload_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offline_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_upload_expires_at"))
        batch_op.drop_index(batch_op.f("ix_offline_upload_country_id"))
        batch_op.drop_index(batch_op.f("ix_offline_upload_contribution_id"))
        batch_op.drop_index(batch_op.f("ix_offline_upload_submission_id"))
        batch_op.drop_index(batch_op.f("ix_offline_upload_user_id"))
    op.drop_table("offline_upload")
