"""indicator targets and reviewed values

- ``indicator.target`` (nullable float, in the indicator's unit) and ``indicator.target_note`` (where the target comes
  from): drawn on the indicator's trend chart. ``gcm seed`` sets them from ``app/reference/indicator_targets.csv``
  (10.c.1: 3 per cent, SDG target 10.c).
- ``indicator_value.reviewed_at`` / ``reviewed_by_id``: when and by whom the secretariat accepted the value; NULL is
  "not yet reviewed" (a focal point entered or changed it since). Every value already stored counts as reviewed
  (it was there before the marking existed): its ``reviewed_at`` becomes its ``updated_at``.

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2f3a4b5c6d7"
down_revision: str | Sequence[str] | None = "d1e2f3a4b5c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("target", sa.Float(), nullable=True))
        batch.add_column(sa.Column("target_note", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("indicator_value") as batch:
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_indicator_value_reviewed_by_id_user_account"),
            "user_account",
            ["reviewed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("UPDATE indicator_value SET reviewed_at = COALESCE(updated_at, created_at, CURRENT_TIMESTAMP)")


def downgrade() -> None:
    with op.batch_alter_table("indicator_value") as batch:
        batch.drop_constraint(op.f("fk_indicator_value_reviewed_by_id_user_account"), type_="foreignkey")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("reviewed_at")
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("target_note")
        batch.drop_column("target")
