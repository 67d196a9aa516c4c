"""``gcm dump`` and ``gcm restore``: SQLite → PostgreSQL → SQLite keeps every row identical."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.backup.service import RestoreRefused, dump, restore
from app.db import create_db_engine
from app.demo import create_demo_data
from app.migrate import upgrade
from app.seed import seed_reference_data
from tests.databases import BACKENDS, throwaway_database


def _content(path: Path) -> dict[str, list[str]]:
    """Rows per table as sorted JSON lines (the header names the dialect, so it is left out)."""
    tables: dict[str, list[str]] = {}
    current = ""
    with gzip.open(path, "rt", encoding="utf-8") as source:
        header = json.loads(source.readline())
        assert header["format"] == "gcm-dump" and header["revision"]
        for line in source:
            item = json.loads(line)
            if isinstance(item, dict):
                current = item["table"]
                tables[current] = [json.dumps(item["columns"])]
            else:
                tables[current].append(line)
    return {name: rows[:1] + sorted(rows[1:]) for name, rows in tables.items()}


@pytest.mark.skipif(set(BACKENDS) != {"sqlite", "postgresql"}, reason="needs both databases")
def test_dump_sqlite_restore_postgresql_and_back_is_identical(tmp_path: Path) -> None:
    first, second, third = tmp_path / "1.jsonl.gz", tmp_path / "2.jsonl.gz", tmp_path / "3.jsonl.gz"
    with throwaway_database("sqlite", tmp_path / "a") as sqlite_url:
        upgrade("head", database_url=sqlite_url)
        engine = create_db_engine(sqlite_url)
        with Session(engine) as session:
            seed_reference_data(session)
            create_demo_data(session, scale=1)
            session.commit()
        with engine.connect() as connection:
            counts = dump(connection, first)
        engine.dispose()
    assert counts["user_account"] > 0 and counts["audit_event"] > 0 and counts["indicator_value"] > 0
    with throwaway_database("postgresql", tmp_path / "b") as pg_url:
        upgrade("head", database_url=pg_url)
        engine = create_db_engine(pg_url)
        with engine.begin() as connection:
            restore(connection, first)
        with engine.connect() as connection:
            dump(connection, second)
            with pytest.raises(RestoreRefused, match="not empty"):
                restore(connection, first)
        engine.dispose()
    with throwaway_database("sqlite", tmp_path / "c") as back_url:
        upgrade("head", database_url=back_url)
        engine = create_db_engine(back_url)
        with engine.begin() as connection:
            restore(connection, second)
        with engine.connect() as connection:
            dump(connection, third)
        engine.dispose()
    assert _content(first) == _content(second) == _content(third)


def test_restore_refuses_another_schema_revision(tmp_path: Path) -> None:
    with throwaway_database("sqlite", tmp_path) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with engine.connect() as connection:
            dump(connection, tmp_path / "d.jsonl.gz")
        upgrade_file = tmp_path / "old.jsonl.gz"
        with gzip.open(tmp_path / "d.jsonl.gz", "rt") as src, gzip.open(upgrade_file, "wt") as out:
            header = json.loads(src.readline()) | {"revision": "0000000000"}
            out.write(json.dumps(header) + "\n" + src.read())
        with engine.begin() as connection, pytest.raises(RestoreRefused, match="revision"):
            restore(connection, upgrade_file)
        engine.dispose()
