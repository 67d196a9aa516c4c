"""part reasons: a reason per reopened part of a review (placeholder: filled in by the change that needs it)

Revision ID: c0d1e2f3a4b5
Revises: bf5c6b7d8e94
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

revision: str = "c0d1e2f3a4b5"
down_revision: str | Sequence[str] | None = "bf5c6b7d8e94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
