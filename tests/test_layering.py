"""The layering, held by tests: every ``select()`` in a feature's ``queries.py``, every relationship ``lazy="raise"``.

import-linter (``[tool.importlinter]`` in pyproject.toml) holds the imports between features; this file holds what
it cannot see."""

from __future__ import annotations

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
