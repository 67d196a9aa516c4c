"""The migrations are the schema: one head, a full round trip, and no drift from the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app.db import create_db_engine
from app.migrate import alembic_config, downgrade, include_object, upgrade
from app.models import Base
from tests.databases import throwaway_database


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_migration_files_do_not_import_the_app() -> None:
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    for path in versions.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import app" not in source and "from app" not in source, path.name


LAST_REVERSIBLE = "3a73cc7f9a70"  # downgrading past 4b8e1d2c6a10 (answers per question) is refused


def test_upgrade_downgrade_upgrade_without_drift(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade(LAST_REVERSIBLE, database_url=url)
        downgrade("base", database_url=url)
        engine = create_db_engine(url)
        try:
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            upgrade("head", database_url=url)
            assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
            with engine.connect() as conn:
                diff = compare_metadata(
                    MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object}),
                    Base.metadata,
                )
            assert diff == [], f"models and migrations differ: {diff}"
        finally:
            engine.dispose()


@pytest.mark.parametrize("table", ["submission", "indicator_value", "user_account"])
def test_constraints_are_named(backend: str, tmp_path: Path, table: str) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        try:
            insp = inspect(engine)
            names = [fk["name"] for fk in insp.get_foreign_keys(table)]
            names += [uq["name"] for uq in insp.get_unique_constraints(table)]
            assert names and all(n and n.startswith(("fk_", "uq_")) for n in names)
        finally:
            engine.dispose()
