"""stakeholder contributions: a cycle's stakeholder questionnaire, organisations' contributions, moderated

``questionnaire`` gains ``kind`` (``states``, every existing row; or ``stakeholders``), unique per (cycle, kind).
``contribution`` (one per organisation and cycle, its status, chosen objectives and consent to be cited by name),
``contribution_answer`` (as ``answer``) and ``contribution_decision`` (submit, return, accept, decline with reasons).
Search: on SQLite an FTS5 table ``search_index_contribution`` (rowid = contribution_answer id) kept by triggers; on
PostgreSQL a stored ``tsvector`` column ``contribution_answer.fts_contribution`` with a GIN index. Downgrading drops
the contributions and refuses while a cycle has a stakeholder questionnaire (one row per cycle would not hold).

Revision ID: 6f3d0b8c2e51
Revises: 5e2c9a7b1d40
Create Date: 2026-12-01 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6f3d0b8c2e51"
down_revision: str | Sequence[str] | None = "5e2c9a7b1d40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", _enum("questionnairekind", "states", "stakeholders"), server_default="states", nullable=False
            )
        )
        batch_op.drop_constraint(op.f("uq_questionnaire_review_cycle_id"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_questionnaire_review_cycle_id_kind"), ["review_cycle_id", "kind"])

    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("review_cycle_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            _enum("contributionstatus", "draft", "submitted", "returned", "accepted", "declined"),
            nullable=False,
        ),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("consent", _enum("consent", "name", "type_only"), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_contribution_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["review_cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_contribution_review_cycle_id_review_cycle"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_contribution_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution")),
        sa.UniqueConstraint(
            "organisation_id", "review_cycle_id", name=op.f("uq_contribution_organisation_id_review_cycle_id")
        ),
    )
    op.create_index(op.f("ix_contribution_organisation_id"), "contribution", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_contribution_review_cycle_id"), "contribution", ["review_cycle_id"], unique=False)
    op.create_index(op.f("ix_contribution_status"), "contribution", ["status"], unique=False)

    op.create_table(
        "contribution_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=63), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_contribution_answer_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_contribution_answer_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_answer")),
        sa.UniqueConstraint(
            "contribution_id", "part", "key", name=op.f("uq_contribution_answer_contribution_id_part_key")
        ),
    )
    op.create_index(
        op.f("ix_contribution_answer_contribution_id"), "contribution_answer", ["contribution_id"], unique=False
    )

    op.create_table(
        "contribution_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("contributiondecisionkind", "submit", "return", "accept", "decline"), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_contribution_decision_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_contribution_decision_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_decision")),
    )
    op.create_index(
        op.f("ix_contribution_decision_contribution_id"), "contribution_decision", ["contribution_id"], unique=False
    )

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_index_contribution USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        insert = "INSERT INTO search_index_contribution(rowid, body) VALUES (new.id, new.text);"
        delete = "DELETE FROM search_index_contribution WHERE rowid = old.id;"
        op.execute(f"CREATE TRIGGER search_contribution_ai AFTER INSERT ON contribution_answer BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER search_contribution_ad AFTER DELETE ON contribution_answer BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER search_contribution_au AFTER UPDATE OF text ON contribution_answer "
            f"BEGIN {delete} {insert} END"
        )
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE contribution_answer ADD COLUMN fts_contribution tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_contribution_answer_fts_contribution ON contribution_answer USING gin (fts_contribution)"
        )


def downgrade() -> None:
    bind = op.get_bind()
    stakeholder = bind.scalar(sa.text("SELECT count(*) FROM questionnaire WHERE kind = 'stakeholders'"))
    if stakeholder:
        raise RuntimeError(
            f"Downgrading past 6f3d0b8c2e51 is refused: {stakeholder} cycle(s) have a stakeholder questionnaire. "
            "Restore a backup taken before the upgrade instead."
        )
    if bind.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_contribution_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_index_contribution")
    op.drop_index(op.f("ix_contribution_decision_contribution_id"), table_name="contribution_decision")
    op.drop_table("contribution_decision")
    op.drop_index(op.f("ix_contribution_answer_contribution_id"), table_name="contribution_answer")
    op.drop_table("contribution_answer")
    op.drop_index(op.f("ix_contribution_status"), table_name="contribution")
    op.drop_index(op.f("ix_contribution_review_cycle_id"), table_name="contribution")
    op.drop_index(op.f("ix_contribution_organisation_id"), table_name="contribution")
    op.drop_table("contribution")
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_questionnaire_review_cycle_id_kind"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_questionnaire_review_cycle_id"), ["review_cycle_id"])
        batch_op.drop_constraint(op.f("ck_questionnaire_questionnairekind"), type_="check")
        batch_op.drop_column("kind")
