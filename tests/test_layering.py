"""The layering, held by tests: every ``select()`` in a feature's ``queries.py``, every relationship ``lazy="raise"``.

import-linter (``[tool.importlinter]`` in pyproject.toml) holds the imports between features; this file holds what
it cannot see."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import app.models  # noqa: F401  (every table, so every mapper is configured)
from app.db import Base


def test_every_relationship_raises_on_lazy_load() -> None:
    relationships = [rel for mapper in Base.registry.mappers for rel in mapper.relationships]
    assert len(relationships) > 10  # the walk sees the models
    lazy = [
        f"{mapper.class_.__name__}.{rel.key} (lazy={rel.lazy!r})"
        for mapper in Base.registry.mappers
        for rel in mapper.relationships
        if rel.lazy != "raise"
    ]
    assert not lazy, "load these in queries.py with joinedload/selectinload instead: " + ", ".join(lazy)


APP = Path(__file__).resolve().parent.parent / "app"

# Modules that may build SELECTs outside a queries.py, and why (keep this short; prefer a queries.py function).
SELECT_ALLOWED = {
    "demo.py": "bulk-inserts the demo data and looks up what it just wrote",
    "review/demo.py": "the demo's review conversations, as app/demo.py",
    "backup/service.py": "dumps and restores every table generically (Base.metadata.sorted_tables)",
    "data_version.py": "the one-row data_version counter, read and bumped on the connection as a commit happens",
    "seed.py": "upserts the reference CSVs on their natural keys",
    "imports/service.py": "bulk plans and writes whole tables (Core executemany, version checks per chunk)",
    "visibility.py": "builds the readable-rows subqueries (WHERE clauses) that queries.py functions embed",
    "dashboards/search.py": "the full-text search statements (FTS5 on SQLite, tsvector on PostgreSQL)",
}


def _selects(tree: ast.AST) -> list[int]:
    """Lines that call ``select(...)``, ``sa.select(...)`` or ``<table>.select(...)``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name == "select":
                lines.append(node.lineno)
    return lines


def test_every_select_is_in_a_queries_module() -> None:
    outside = []
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if path.name == "queries.py" or relative in SELECT_ALLOWED:
            continue
        outside += [f"app/{relative}:{line}" for line in _selects(ast.parse(path.read_text(), str(path)))]
    assert not outside, "move these select() statements into the feature's queries.py: " + ", ".join(outside)


def test_the_select_allow_list_names_modules_that_exist() -> None:
    assert all((APP / relative).is_file() for relative in SELECT_ALLOWED)


CORE = {"app.config", "app.db", "app.errors", "app.i18n", "app.data_version", "app.web"}


def test_the_core_contract_names_every_other_part_of_app() -> None:
    """A new feature (or top-level module) is added to the import-linter contract that keeps the core from it."""
    config = tomllib.loads((APP.parent / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in config if c["type"] == "forbidden" and set(c["source_modules"]) == CORE]
    parts = {
        f"app.{p.stem}"
        for p in APP.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert parts - CORE - set(contract["forbidden_modules"]) == set()
