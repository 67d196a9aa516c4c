"""index sign-in attempts by time

Sign-ins prune attempts older than a week (app/auth/sessions.prune); the index keeps that a short range scan.

Revision ID: 83e7aa55a525
Revises: 9e5a4b126f05
Create Date: 2026-12-01 13:40:33
"""

from collections.abc import Sequence

from alembic import op

revision: str = "83e7aa55a525"
down_revision: str | Sequence[str] | None = "9e5a4b126f05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_attempted_at", ["attempted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_attempted_at")
