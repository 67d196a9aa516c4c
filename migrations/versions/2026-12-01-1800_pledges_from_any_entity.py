"""pledges from any entity: a State's or an organisation's pledge, with the fields of the IMRF pledge form

``commitment`` gains ``organisation_id`` (exactly one of it and ``country_id``, now nullable), ``external_pledge_id``
(a matching pledge cites a pledge in the product or one of the IMRF by its ID), ``scope_level`` (national, regional,
global; the free-text ``scope`` stays as its description), ``champion`` (States only) and the contact person. The single
``form`` column becomes rows of ``commitment_form`` (several forms may apply); new association tables hold the main
objectives (at most three), the countries of implementation and the partner States and organisations; a pledge's one
attachment is ``commitment_attachment``. Every existing commitment becomes a State's pledge with its form as its one
form; nothing is lost. Downgrading keeps a pledge's first form and refuses while organisations' pledges exist.

Revision ID: 5e2c9a7b1d40
Revises: 47162e69f1ce
Create Date: 2026-12-01 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2c9a7b1d40"
down_revision: str | Sequence[str] | None = "47162e69f1ce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FORM_RULE = "form IN ('financial', 'human_resources', 'process', 'policy')"
SCOPE_RULE = "scope_level IN ('national', 'regional', 'global')"


# The search index's triggers on ``commitment`` (migration 2026-11-28-0621): SQLite's batch mode rebuilds the table,
# which drops them; they are made again after each rebuild (the indexed rows themselves are unchanged).
PLEDGE_INSERT = "INSERT INTO search_index(rowid, body) VALUES (new.id * 4 + 2, new.title || ' ' || new.description);"
PLEDGE_DELETE = "DELETE FROM search_index WHERE rowid = old.id * 4 + 2;"


def _search_triggers() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for suffix, event, body in (
        ("ai", "INSERT", PLEDGE_INSERT), ("ad", "DELETE", PLEDGE_DELETE), ("au", "UPDATE", PLEDGE_DELETE + " " + PLEDGE_INSERT),
    ):  # fmt: skip
        op.execute(f"DROP TRIGGER IF EXISTS search_commitment_{suffix}")
        op.execute(f"CREATE TRIGGER search_commitment_{suffix} AFTER {event} ON commitment BEGIN {body} END")


def _link(name: str, column: str, target: str, ondelete: str = "RESTRICT") -> None:
    op.create_table(
        name,
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column(column, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitment.id"], name=op.f(f"fk_{name}_commitment_id_commitment"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            [column], [f"{target}.id"], name=op.f(f"fk_{name}_{column}_{target}"), ondelete=ondelete
        ),
        sa.PrimaryKeyConstraint("commitment_id", column, name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "commitment_form",
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.CheckConstraint(FORM_RULE, name=op.f("ck_commitment_form_commitmentform")),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitment.id"], name=op.f("fk_commitment_form_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("commitment_id", "form", name=op.f("pk_commitment_form")),
    )  # fmt: skip
    with op.batch_alter_table("commitment_form", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_form_form"), ["form"], unique=False)
    op.execute("INSERT INTO commitment_form (commitment_id, form) SELECT id, form FROM commitment")
    _link("commitment_main_objective", "objective_id", "objective")
    _link("commitment_implementation_country", "country_id", "country")
    _link("commitment_partner_country", "country_id", "country")
    _link("commitment_partner_organisation", "organisation_id", "organisation")
    op.create_table(
        "commitment_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitment.id"], name=op.f("fk_commitment_attachment_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user_account.id"],
            name=op.f("fk_commitment_attachment_uploaded_by_id_user_account"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_attachment")),
        sa.UniqueConstraint("commitment_id", name=op.f("uq_commitment_attachment_commitment_id")),
    )  # fmt: skip
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("external_pledge_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("scope_level", sa.String(length=32), nullable=True))
        batch_op.create_check_constraint(op.f("ck_commitment_pledgescope"), SCOPE_RULE)
        batch_op.add_column(sa.Column("champion", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("contact_position", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=254), server_default="", nullable=False))
        batch_op.alter_column("country_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_commitment_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_commitment_organisation_id_organisation"), "organisation", ["organisation_id"], ["id"],
            ondelete="RESTRICT",
        )  # fmt: skip
        batch_op.drop_constraint(op.f("ck_commitment_matching_cites_pledge"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_commitment_matching_cites_pledge"),
            "pledge_type <> 'matching' OR matched_commitment_id IS NOT NULL OR external_pledge_id IS NOT NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_commitment_only_matching_cites"),
            "pledge_type = 'matching' OR (matched_commitment_id IS NULL AND external_pledge_id IS NULL)",
        )
        batch_op.create_check_constraint(
            op.f("ck_commitment_one_pledging_entity"), "(country_id IS NULL) <> (organisation_id IS NULL)"
        )
        batch_op.create_check_constraint(
            op.f("ck_commitment_champion_is_a_state"), "country_id IS NOT NULL OR NOT champion"
        )
        batch_op.drop_constraint(op.f("ck_commitment_commitmentform"), type_="check")
        batch_op.drop_column("form")
    _search_triggers()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM commitment WHERE organisation_id IS NOT NULL")).scalar():
        raise RuntimeError("Organisations' pledges exist: the old schema has no place for them. Remove them first.")
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE commitment SET form = COALESCE((SELECT min(f.form) FROM commitment_form f "
        "WHERE f.commitment_id = commitment.id), 'policy')"
    )
    op.execute("UPDATE commitment SET external_pledge_id = NULL")
    op.execute(
        "UPDATE commitment SET pledge_type = 'individual' WHERE pledge_type = 'matching' AND matched_commitment_id IS NULL"
    )
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.alter_column("form", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_check_constraint(op.f("ck_commitment_commitmentform"), FORM_RULE)
        batch_op.drop_constraint(op.f("ck_commitment_champion_is_a_state"), type_="check")
        batch_op.drop_constraint(op.f("ck_commitment_one_pledging_entity"), type_="check")
        batch_op.drop_constraint(op.f("ck_commitment_only_matching_cites"), type_="check")
        batch_op.drop_constraint(op.f("ck_commitment_matching_cites_pledge"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_commitment_matching_cites_pledge"),
            "(pledge_type = 'matching') = (matched_commitment_id IS NOT NULL)",
        )
        batch_op.drop_constraint(batch_op.f("fk_commitment_organisation_id_organisation"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_commitment_organisation_id"))
        batch_op.alter_column("country_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(op.f("ck_commitment_pledgescope"), type_="check")
        for column in (
            "contact_email", "contact_position", "contact_name", "champion", "scope_level", "external_pledge_id",
            "organisation_id",
        ):  # fmt: skip
            batch_op.drop_column(column)
    _search_triggers()
    op.drop_table("commitment_attachment")
    for name in (
        "commitment_partner_organisation", "commitment_partner_country", "commitment_implementation_country",
        "commitment_main_objective", "commitment_form",
    ):  # fmt: skip
        op.drop_table(name)
