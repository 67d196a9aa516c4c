"""user language: the language a user reads in (``user_account.language``, null: the browser's)

One of ESCAP's working languages (en, zh, fr, ru). Set by an administrator when creating the user, on the user's
profile, or by choosing a language while signed in; it becomes the language cookie at sign-in.

Revision ID: 7b1e2d3f4a50
Revises: 6f3d0b8c2e51
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b1e2d3f4a50"
down_revision: str | Sequence[str] | None = "6f3d0b8c2e51"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("language")
