"""content languages and multilingual search: placeholder

Revision ID: ae4b5a6c7d83
Revises: 9d3a4f5b6c72
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

revision: str = "ae4b5a6c7d83"
down_revision: str | Sequence[str] | None = "9d3a4f5b6c72"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
