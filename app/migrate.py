"""Running the Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.config import PROJECT_DIR, get_settings


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    url = database_url or get_settings().database_url
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Full-text search objects created by raw SQL in migrations 6b2d1e8f3c02, 8d4f3a015e04 and 4b8e1d2c6a10, not in the
# models: the SQLite FTS5 table and its shadow tables (search_index_data, ...), and on PostgreSQL the stored tsvector
# columns with their GIN indexes (and the expression indexes they replaced). Drift checks leave them out.
NOT_IN_MODELS_TABLE_PREFIX = "search_index"
NOT_IN_MODELS_INDEXES = frozenset(
    {
        "ix_objective_report_search",
        "ix_objective_report_practice_search",
        "ix_commitment_search",
        "ix_objective_report_fts_report",
        "ix_objective_report_fts_practice",
        "ix_commitment_fts_pledge",
        "ix_answer_fts_answer",
        "ix_contribution_answer_fts_contribution",
    }
)
NOT_IN_MODELS_COLUMNS = frozenset({"fts_report", "fts_practice", "fts_pledge", "fts_answer", "fts_contribution"})


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object`` hook: everything but the full-text search objects above."""
    if type_ == "table" and name is not None and name.startswith(NOT_IN_MODELS_TABLE_PREFIX):
        return False
    if type_ == "table" and name == "data_version":  # app/data_version.py: a Core table, not a model
        return False
    if type_ == "column" and name in NOT_IN_MODELS_COLUMNS:
        return False
    return not (type_ == "index" and name in NOT_IN_MODELS_INDEXES)


def upgrade(revision: str = "head", *, database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(revision: str, *, database_url: str | None = None) -> None:
    command.downgrade(alembic_config(database_url), revision)
