"""full text search

SQLite: an FTS5 table ``search_index`` over objective reports (kind 0), their good practices (kind 1) and pledges
(kind 2), rowid = record id * 4 + kind, kept in sync by triggers. PostgreSQL: GIN indexes on the to_tsvector
expressions the search uses (app/dashboards/search.py).

Revision ID: 6b2d1e8f3c02
Revises: 5a1c0d7e2b01
Create Date: 2026-11-28 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision: str = "6b2d1e8f3c02"
down_revision: str | Sequence[str] | None = "5a1c0d7e2b01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT = "{r}.narrative || ' ' || {r}.laws_and_policies || ' ' || {r}.challenges || ' ' || {r}.partners"
PRACTICE = "{r}.good_practices"
PLEDGE = "{r}.title || ' ' || {r}.description"

SQLITE_TRIGGERS = {
    "objective_report": [
        (0, REPORT),
        (1, PRACTICE),
    ],
    "commitment": [(2, PLEDGE)],
}


def _sqlite_upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE search_index USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
    for table, kinds in SQLITE_TRIGGERS.items():
        inserts = " ".join(
            f"INSERT INTO search_index(rowid, body) VALUES (new.id * 4 + {k}, {expr.format(r='new')});"  # noqa: S608 - constants
            for k, expr in kinds
        )
        deletes = " ".join(f"DELETE FROM search_index WHERE rowid = old.id * 4 + {k};" for k, _e in kinds)  # noqa: S608
        op.execute(f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table} BEGIN {inserts} END")
        op.execute(f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {table} BEGIN {deletes} END")
        op.execute(f"CREATE TRIGGER search_{table}_au AFTER UPDATE ON {table} BEGIN {deletes} {inserts} END")
        for k, expr in kinds:
            op.execute(
                f"INSERT INTO search_index(rowid, body) SELECT id * 4 + {k}, {expr.format(r=table)} FROM {table}"  # noqa: S608
            )


def _postgresql_upgrade() -> None:
    for name, table, expr in (
        ("ix_objective_report_search", "objective_report", REPORT),
        ("ix_objective_report_practice_search", "objective_report", PRACTICE),
        ("ix_commitment_search", "commitment", PLEDGE),
    ):
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('english', {expr.format(r=table)}))")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in SQLITE_TRIGGERS:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_index")
    elif dialect == "postgresql":
        for name in ("ix_objective_report_search", "ix_objective_report_practice_search", "ix_commitment_search"):
            op.execute(f"DROP INDEX IF EXISTS {name}")
