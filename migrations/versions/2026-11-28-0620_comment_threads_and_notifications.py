"""comment threads and notifications

Revision ID: 5a1c0d7e2b01
Revises: c3f259ee4b2f
Create Date: 2026-11-28 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "5a1c0d7e2b01"
down_revision: str | Sequence[str] | None = "c3f259ee4b2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
