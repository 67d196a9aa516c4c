"""full text search

Revision ID: 6b2d1e8f3c02
Revises: 5a1c0d7e2b01
Create Date: 2026-11-28 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "6b2d1e8f3c02"
down_revision: str | Sequence[str] | None = "5a1c0d7e2b01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
