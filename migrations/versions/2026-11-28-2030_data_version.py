"""data version

A one-row counter that every transaction writing data the dashboards read adds one to as it commits
(app/data_version.py), so each service instance can cache computed dashboard figures and know exactly when they are
stale. Not a model: dumps carry the data, not this counter.

Revision ID: 9e5a4b126f05
Revises: 8d4f3a015e04
Create Date: 2026-11-28 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e5a4b126f05"
down_revision: str | Sequence[str] | None = "8d4f3a015e04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "n": 0}])


def downgrade() -> None:
    op.drop_table("data_version")
