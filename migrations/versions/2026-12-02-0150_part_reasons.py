"""part reasons: a reason per reopened part of a review

The secretariat may say, for each part it reopens, what it asks of that part, besides (or instead of) one reason for
all. The per-part rows that request changes and reopen already write (``review_snapshot``) keep it in a new column,
``reason``; rows written before are valid as they are (empty: the decision's reason alone).

Revision ID: c0d1e2f3a4b5
Revises: bf5c6b7d8e94
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0d1e2f3a4b5"
down_revision: str | Sequence[str] | None = "bf5c6b7d8e94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_snapshot") as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("review_snapshot") as batch_op:
        batch_op.drop_column("reason")
