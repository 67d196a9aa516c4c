"""contribution parts: a lock per part of a contribution's forms, and documents for its file questions

``contribution_part`` (one row per contribution and part, ``section:<key>`` or ``objective:<n>``, with its own
``version`` and who saved it last) replaces the contribution's ``version`` as the lock of the parts' forms, so two
people of an organisation editing two parts no longer conflict. Every part that has answers gets its row (version 1,
the time and author of its latest answer); a part never saved has none (its forms carry version 0).
``contribution_file`` (as ``answer_file``) holds the documents attached to a stakeholder questionnaire's file
questions. Downgrading drops both and refuses while a document is attached (its bytes would be lost).

Revision ID: 8c2f3e4a5b61
Revises: 7b1e2d3f4a50
Create Date: 2026-12-01 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c2f3e4a5b61"
down_revision: str | Sequence[str] | None = "7b1e2d3f4a50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "contribution_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_contribution_part_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_contribution_part_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_part")),
        sa.UniqueConstraint("contribution_id", "part", name=op.f("uq_contribution_part_contribution_id_part")),
    )
    op.create_index(
        op.f("ix_contribution_part_contribution_id"), "contribution_part", ["contribution_id"], unique=False
    )
    op.create_table(
        "contribution_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_contribution_file_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_contribution_file_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_file")),
    )
    op.create_index(
        op.f("ix_contribution_file_contribution_id"), "contribution_file", ["contribution_id"], unique=False
    )
    # Every part saved so far gets its lock, as of its latest answer (who saved it and when).
    op.execute(
        "INSERT INTO contribution_part (contribution_id, part, updated_by_id, created_at, updated_at, version) "
        "SELECT a.contribution_id, a.part, "
        "(SELECT b.updated_by_id FROM contribution_answer b WHERE b.contribution_id = a.contribution_id "
        "AND b.part = a.part ORDER BY b.updated_at DESC, b.id DESC LIMIT 1), "
        "min(a.created_at), max(a.updated_at), 1 "
        "FROM contribution_answer a GROUP BY a.contribution_id, a.part"
    )


def downgrade() -> None:
    attached = op.get_bind().scalar(sa.text("SELECT count(*) FROM contribution_file"))
    if attached:
        raise RuntimeError(
            f"Downgrading past 8c2f3e4a5b61 is refused: {attached} document(s) are attached to contributions. "
            "Restore a backup taken before the upgrade instead."
        )
    op.drop_index(op.f("ix_contribution_file_contribution_id"), table_name="contribution_file")
    op.drop_table("contribution_file")
    op.drop_index(op.f("ix_contribution_part_contribution_id"), table_name="contribution_part")
    op.drop_table("contribution_part")
