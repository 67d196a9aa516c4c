"""questionnaires: the definition of what a review cycle asks, one per cycle

Revision ID: 2f62bb6f8969
Revises: 4f1c2a7d9e10
Create Date: 2026-12-01 14:57:52.776552
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2f62bb6f8969"
down_revision: str | Sequence[str] | None = "4f1c2a7d9e10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_cycle_id", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["review_cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_questionnaire_review_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire")),
        sa.UniqueConstraint("review_cycle_id", name=op.f("uq_questionnaire_review_cycle_id")),
    )


def downgrade() -> None:
    op.drop_table("questionnaire")
