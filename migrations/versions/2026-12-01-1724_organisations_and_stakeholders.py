"""organisations and stakeholders: the organisation table, public requests to take part, the role stakeholder

A stakeholder belongs to exactly one organisation (``user_account.organisation_id``), other roles to none; the role's
CHECK constraint gains the value ``stakeholder``. Downgrading removes them (refused while stakeholders exist: their
rows would break the old role constraint).

Revision ID: 47162e69f1ce
Revises: 4b8e1d2c6a10
Create Date: 2026-12-01 17:24:15.879234
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ROLES = ("admin", "secretariat", "focal_point", "preparer")
STAKEHOLDER_RULE = (
    "(role = 'stakeholder' AND organisation_id IS NOT NULL) OR (role <> 'stakeholder' AND organisation_id IS NULL)"
)


def _role_rule(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


revision: str = "47162e69f1ce"
down_revision: str | Sequence[str] | None = "4b8e1d2c6a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "un_entity",
                "civil_society",
                "migrant_org",
                "trade_union",
                "private_sector",
                "local_authority",
                "nhri",
                "academia",
                "other",
                name="organisationtype",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("website", sa.String(length=300), server_default="", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_organisation_country_id_country"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_country_id"), ["country_id"], unique=False)

    op.create_table(
        "organisation_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column(
            "organisation_type",
            sa.Enum(
                "un_entity",
                "civil_society",
                "migrant_org",
                "trade_union",
                "private_sector",
                "local_authority",
                "nhri",
                "academia",
                "other",
                name="organisationtype",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("website", sa.String(length=300), server_default="", nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("ip_address", sa.String(length=45), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="requeststatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_organisation_request_country_id_country"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_organisation_request_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_request_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_organisation_request_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_request")),
    )
    with op.batch_alter_table("organisation_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_request_email"), ["email"], unique=False)
        batch_op.create_index("ix_organisation_request_ip_created", ["ip_address", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_request_status"), ["status"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_user_account_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_organisation_id_organisation"),
            "organisation",
            ["organisation_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.drop_constraint(op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_account_role"), _role_rule((*ROLES, "stakeholder")))
        batch_op.create_check_constraint(op.f("ck_user_account_stakeholder_has_organisation"), STAKEHOLDER_RULE)


def downgrade() -> None:
    stakeholders = op.get_bind().scalar(sa.text("SELECT count(*) FROM user_account WHERE role = 'stakeholder'"))
    if stakeholders:
        raise RuntimeError(
            f"Downgrading past 47162e69f1ce is refused: {stakeholders} stakeholder account(s) exist. Deactivate and "
            "delete them (or restore a backup taken before the upgrade) first."
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_stakeholder_has_organisation"), type_="check")
        batch_op.drop_constraint(op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_account_role"), _role_rule(ROLES))
        batch_op.drop_constraint(batch_op.f("fk_user_account_organisation_id_organisation"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_user_account_organisation_id"))
        batch_op.drop_column("organisation_id")

    with op.batch_alter_table("organisation_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_request_status"))
        batch_op.drop_index("ix_organisation_request_ip_created")
        batch_op.drop_index(batch_op.f("ix_organisation_request_email"))

    op.drop_table("organisation_request")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_country_id"))

    op.drop_table("organisation")
