"""stored search vectors on PostgreSQL

The GIN indexes of 6b2d1e8f3c02 were on ``to_tsvector(...)`` expressions. PostgreSQL's planner underestimates what
computing ``to_tsvector`` costs, so on a small table (the pledges) it preferred a sequential scan that computed it for
every row at every search: about 90 ms at ``gcm demo --scale 10`` against about 1 ms through the index. The vectors
are now stored columns generated from the same expressions (kept current by PostgreSQL itself), with a GIN index on
each: a scan of them never recomputes a vector. The columns are not in the models (app/migrate.py leaves them out of
the drift check); app/dashboards/search.py matches on them. SQLite keeps its FTS5 table.

Revision ID: 8d4f3a015e04
Revises: 7c3e2f904d03
Create Date: 2026-11-28 19:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8d4f3a015e04"
down_revision: str | Sequence[str] | None = "7c3e2f904d03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT = "narrative || ' ' || laws_and_policies || ' ' || challenges || ' ' || partners"
PRACTICE = "good_practices"
PLEDGE = "title || ' ' || description"

# (table, stored column, its index, the expression, the expression index it replaces)
VECTORS = (
    ("objective_report", "fts_report", "ix_objective_report_fts_report", REPORT, "ix_objective_report_search"),
    (
        "objective_report",
        "fts_practice",
        "ix_objective_report_fts_practice",
        PRACTICE,
        "ix_objective_report_practice_search",
    ),
    ("commitment", "fts_pledge", "ix_commitment_fts_pledge", PLEDGE, "ix_commitment_search"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, index, expr, old_index in VECTORS:
        op.execute(f"DROP INDEX IF EXISTS {old_index}")
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('english', {expr})) STORED"
        )
        op.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, _index, expr, old_index in VECTORS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # drops its index too
        op.execute(f"CREATE INDEX {old_index} ON {table} USING gin (to_tsvector('english', {expr}))")
