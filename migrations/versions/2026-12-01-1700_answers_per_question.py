"""answers per question: every answer of a review is an ``answer`` row (submission, part, question key, value)

Until now the default questionnaire's answers were columns: ``submission_section.body`` and the objective reports'
texts, rating and links to principles and pledges. They move, without loss, into ``answer`` rows keyed as the
default questionnaire (migration 3a73cc7f9a70) names them:

- ``section:<key>`` / ``<key>``: the section's text;
- ``objective:<n>`` / ``reporting`` ("reported" or "not_reported"), ``not_reported_reason``, ``progress_rating``
  (the step number 1-5 of the old scale, in its order), ``narrative``, ``laws_and_policies``, ``good_practices``,
  ``challenges``, ``partners``, ``principles`` (codes), ``commitments`` (pledge references).

An empty text or a missing rating was "not answered": it has no row. The objective report keeps ``reporting`` and
gains ``rating`` (the step), both derived from its answers for the dashboards. ``answer_choice`` holds each value a
choice answer chose; ``answer_file`` the documents attached to file questions. Search indexes the answers' text instead of the old columns (SQLite: FTS5 rows of kind 3,
rowid = answer id * 4 + 3; PostgreSQL: the stored vector ``answer.fts_answer``).

Downgrade is refused: a questionnaire may since have questions the old columns cannot hold. Restore the backup taken
before upgrading (``gcm dump``) instead.

Revision ID: 4b8e1d2c6a10
Revises: 3a73cc7f9a70
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b8e1d2c6a10"
down_revision: str | Sequence[str] | None = "3a73cc7f9a70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = ("narrative", "laws_and_policies", "good_practices", "challenges", "partners")
STEPS = {"not_started": 1, "initial": 2, "under_way": 3, "advanced": 4, "achieved": 5}
SECTION_KEYS = ("preparation", "policy_environment", "means_of_implementation", "next_steps")
RATINGS = tuple(STEPS)
BATCH = 2000


def _create_tables() -> None:
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=63), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f("fk_answer_submission_id_submission"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_answer_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("submission_id", "part", "key", name=op.f("uq_answer_submission_id_part_key")),
    )
    op.create_index(op.f("ix_answer_submission_id"), "answer", ["submission_id"], unique=False)
    op.create_table(
        "answer_choice",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answer.id"], name=op.f("fk_answer_choice_answer_id_answer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("answer_id", "value", name=op.f("pk_answer_choice")),
    )
    op.create_index(op.f("ix_answer_choice_value"), "answer_choice", ["value"], unique=False)


def _create_file_table() -> None:
    op.create_table(
        "answer_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_answer_file_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_answer_file_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_file")),
    )
    op.create_index(op.f("ix_answer_file_submission_id"), "answer_file", ["submission_id"], unique=False)


def _drop_old_search(dialect: str) -> None:
    if dialect == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_objective_report_{suffix}")
        op.execute("DELETE FROM search_index WHERE rowid % 4 IN (0, 1)")
    elif dialect == "postgresql":
        for column in ("fts_report", "fts_practice"):
            op.execute(f"ALTER TABLE objective_report DROP COLUMN IF EXISTS {column}")  # drops its index too


def _new_search(dialect: str) -> None:
    if dialect == "sqlite":
        insert = "INSERT INTO search_index(rowid, body) VALUES (new.id * 4 + 3, new.text);"
        delete = "DELETE FROM search_index WHERE rowid = old.id * 4 + 3;"
        op.execute(f"CREATE TRIGGER search_answer_ai AFTER INSERT ON answer BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER search_answer_ad AFTER DELETE ON answer BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER search_answer_au AFTER UPDATE OF text ON answer BEGIN {delete} {insert} END")
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE answer ADD COLUMN fts_answer tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute("CREATE INDEX ix_answer_fts_answer ON answer USING gin (fts_answer)")


def _move_answers() -> None:
    """Every old value into its answer row (and the choices into answer_choice), in batches."""
    bind = op.get_bind()
    meta = sa.MetaData()
    answer = sa.Table("answer", meta, autoload_with=bind)
    choice = sa.Table("answer_choice", meta, autoload_with=bind)
    rows: list[dict[str, object]] = []
    chosen: list[tuple[tuple[int, str, str], list[str]]] = []

    def add(
        submission_id: int,
        part: str,
        key: str,
        value: object,
        text: str,
        by: int | None,
        at: object,
        choices: list[str] | None = None,
    ) -> None:
        rows.append(
            {
                "submission_id": submission_id,
                "part": part,
                "key": key,
                "value": value,
                "text": text,
                "updated_by_id": by,
                "created_at": at,
                "updated_at": at,
                "version": 1,
            }
        )
        if choices:
            chosen.append(((submission_id, part, key), choices))

    # Reflected tables (not raw SQL) for the reads, so that timestamps come back typed on SQLite too.
    section_t = sa.Table("submission_section", meta, autoload_with=bind)
    report_t = sa.Table("objective_report", meta, autoload_with=bind)
    objective_t = sa.Table("objective", meta, autoload_with=bind)
    s = section_t.c
    sections = bind.execute(
        sa.select(s.submission_id, s.key, s.body, s.updated_by_id, s.updated_at).where(s.body != "")
    )
    for sid, key, body, by, at in sections:
        add(sid, f"section:{key}", key, body, body, by, at)

    principles: dict[int, list[str]] = {}
    for report_id, code in bind.execute(
        sa.text(
            "SELECT l.objective_report_id, p.code FROM objective_report_principle l "
            "JOIN principle p ON p.id = l.principle_id ORDER BY p.code"
        )
    ):
        principles.setdefault(report_id, []).append(code)
    pledges: dict[int, list[str]] = {}
    for report_id, reference in bind.execute(
        sa.text(
            "SELECT l.objective_report_id, c.reference FROM objective_report_commitment l "
            "JOIN commitment c ON c.id = l.commitment_id ORDER BY c.reference"
        )
    ):
        pledges.setdefault(report_id, []).append(reference)

    r = report_t.c
    columns = (r.id, r.submission_id, objective_t.c.number, r.reporting, r.not_reported_reason, r.progress_rating)
    reports = bind.execute(
        sa.select(*columns, *(r[t] for t in TEXTS), r.updated_by_id, r.updated_at)
        .join(objective_t, objective_t.c.id == r.objective_id)
        .order_by(r.id)
    )
    ratings: list[dict[str, object]] = []
    for row in reports:
        report_id, sid, number, reporting, reason, rating = row[:6]
        texts = row[6 : 6 + len(TEXTS)]
        by, at = row[6 + len(TEXTS)], row[7 + len(TEXTS)]
        part = f"objective:{number}"
        add(sid, part, "reporting", reporting, "", by, at, [reporting])
        if reason:
            add(sid, part, "not_reported_reason", reason, reason, by, at)
        if rating:
            add(sid, part, "progress_rating", STEPS[rating], "", by, at, [str(STEPS[rating])])
            ratings.append({"rid": report_id, "step": STEPS[rating]})
        for name, value in zip(TEXTS, texts, strict=True):
            if value:
                add(sid, part, name, value, value, by, at)
        if report_id in principles:
            add(sid, part, "principles", principles[report_id], "", by, at, principles[report_id])
        if report_id in pledges:
            add(sid, part, "commitments", pledges[report_id], "", by, at, pledges[report_id])

    for start in range(0, len(rows), BATCH):
        bind.execute(answer.insert(), rows[start : start + BATCH])
    if chosen:
        ids = {
            (sid, part, key): aid
            for aid, sid, part, key in bind.execute(
                sa.select(answer.c.id, answer.c.submission_id, answer.c.part, answer.c.key)
            )
        }
        links = [{"answer_id": ids[k], "value": v} for k, values in chosen for v in values]
        for start in range(0, len(links), BATCH):
            bind.execute(choice.insert(), links[start : start + BATCH])
    if ratings:
        bind.execute(sa.text("UPDATE objective_report SET rating = :step WHERE id = :rid"), ratings)


def _default_reporting() -> None:
    """A new review starts with its objectives reported (the old column's default), and a reported objective needs
    its rating (as the old completeness check did): the questionnaires say so now."""
    bind = op.get_bind()
    table = sa.Table("questionnaire", sa.MetaData(), autoload_with=bind)
    for qid, definition in bind.execute(sa.select(table.c.id, table.c.definition)).all():
        for question in definition.get("objective_questions", []):
            if question.get("key") == "reporting" and "default" not in question:
                question["default"] = "reported"
            if question.get("key") == "progress_rating" and question.get("type") == "rating":
                question["required"] = True
        bind.execute(table.update().where(table.c.id == qid).values(definition=definition))


LABELS = {
    "progress_rating": {
        "not_started": "1. Not started",
        "initial": "2. Initial steps",
        "under_way": "3. Under way",
        "advanced": "4. Advanced",
        "achieved": "5. Achieved",
    },
    "reporting": {"reported": "Reported", "not_reported": "Not reported this cycle"},
}


def _rewrite_snapshots() -> None:
    """The texts a reviewer saw, keyed and worded as the answers are now read (the base of "changed since")."""
    bind = op.get_bind()
    table = sa.Table("review_snapshot", sa.MetaData(), autoload_with=bind)
    for sid, part, texts in bind.execute(sa.select(table.c.id, table.c.part, table.c.texts)).all():
        new = dict(texts or {})
        if part.startswith("section:") and "body" in new:
            new[part.split(":", 1)[1]] = new.pop("body")
        for name, words in LABELS.items():
            if name in new:
                new[name] = words.get(new[name], new[name])
        if new != texts:
            bind.execute(table.update().where(table.c.id == sid).values(texts=new))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _default_reporting()
    _rewrite_snapshots()
    _create_tables()
    _create_file_table()
    _drop_old_search(dialect)
    with op.batch_alter_table("objective_report") as batch:
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))
    _new_search(dialect)  # before the rows arrive: SQLite's triggers index them as they do
    _move_answers()
    with op.batch_alter_table("objective_report") as batch:
        batch.alter_column(
            "progress_rating",
            existing_type=sa.Enum(
                *RATINGS, name="progressrating", native_enum=False, create_constraint=True, length=32
            ),
            type_=sa.String(32),
            existing_nullable=True,
        )
    with op.batch_alter_table("objective_report") as batch:
        for name in ("not_reported_reason", "progress_rating", *TEXTS):
            batch.drop_column(name)
    with op.batch_alter_table("submission_section") as batch:
        batch.alter_column(
            "key",
            existing_type=sa.Enum(
                *SECTION_KEYS, name="sectionkey", native_enum=False, create_constraint=True, length=32
            ),
            type_=sa.String(63),
            existing_nullable=False,
        )
        batch.drop_column("body")
    op.drop_table("objective_report_principle")
    op.drop_table("objective_report_commitment")


def downgrade() -> None:
    raise RuntimeError(
        "Downgrading past 4b8e1d2c6a10 (answers per question) is refused: questionnaires may now hold questions the "
        "old columns cannot. Restore the backup taken before the upgrade (gcm restore) instead."
    )
