"""reference texts in four languages: ``reference_text``, each text of the reference data with its source and status

One row per (kind, key, language): the objectives' titles and short titles, the guiding principles, subregions,
IMRF round tables, terms and country names, in en, zh, fr and ru. ``gcm seed`` fills it from
``app/reference/translations/`` and CLDR (country names); an administrator may add or correct one (``manual``: the
seed then leaves it alone). The table is created empty here: reference data is loaded by ``gcm seed``.

Revision ID: 9d3a4f5b6c72
Revises: 8c2f3e4a5b61
Create Date: 2026-12-01 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d3a4f5b6c72"
down_revision: str | Sequence[str] | None = "8c2f3e4a5b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "objective",
                "objective_short",
                "guiding_principle",
                "subregion",
                "round_table",
                "term",
                "country",
                name="textkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "official",
                "reproduction",
                "un_network_label",
                "iom_label",
                "escap",
                "cldr",
                "administrator",
                name="textstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("manual", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("language IN ('en', 'zh', 'fr', 'ru')", name=op.f("ck_reference_text_language_known")),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_reference_text_text_not_empty")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_reference_text_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_text")),
        sa.UniqueConstraint("kind", "key", "language", name=op.f("uq_reference_text_kind_key_language")),
    )


def downgrade() -> None:
    op.drop_table("reference_text")
