"""Migration 8c2f3e4a5b61 gives every part of a contribution that has answers its own lock (``contribution_part``:
version 1, the author and time of its latest answer), with nothing lost; a part never saved has none. Downgrading
drops the locks and the documents table, and refuses while a document is attached."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy.engine import Engine

from app.db import create_db_engine
from app.migrate import downgrade, upgrade
from tests.databases import BACKENDS, throwaway_database

PREVIOUS = "7b1e2d3f4a50"
REVISION = "8c2f3e4a5b61"


def _tables(engine: Engine) -> dict[str, Table]:
    meta = MetaData()
    meta.reflect(engine)
    return dict(meta.tables)


def _contribution(engine: Engine) -> tuple[int, int, int]:
    """A contribution with two answers of ``section:about`` (by two people, the second later) and one of
    ``objective:3``; returns (contribution id, first user id, second user id)."""
    t = _tables(engine)
    with engine.begin() as conn:
        organisation = conn.execute(
            insert(t["organisation"]).returning(t["organisation"].c.id), {"name": "Org", "type": "academia"}
        ).scalar_one()
        first, second = (
            conn.execute(
                insert(t["user_account"]).returning(t["user_account"].c.id),
                {"email": f"{who}@example.org", "name": who, "role": "stakeholder", "organisation_id": organisation},
            ).scalar_one()
            for who in ("first", "second")
        )
        cycle = conn.execute(
            insert(t["review_cycle"]).returning(t["review_cycle"].c.id),
            {"name": "C", "opens_on": date(2026, 1, 1), "deadline": date(2026, 6, 1), "closes_on": date(2026, 9, 1),
             "status": "open"},
        ).scalar_one()  # fmt: skip
        contribution = conn.execute(
            insert(t["contribution"]).returning(t["contribution"].c.id),
            {"organisation_id": organisation, "review_cycle_id": cycle, "status": "draft", "objectives": [3],
             "consent": "name", "version": 7},
        ).scalar_one()  # fmt: skip
        rows = [
            ("section:about", "about", "Who we are", first, datetime(2026, 2, 1, tzinfo=UTC)),
            ("section:about", "extra", "More", second, datetime(2026, 3, 1, tzinfo=UTC)),
            ("objective:3", "what_we_did", "Trainings", first, datetime(2026, 2, 15, tzinfo=UTC)),
        ]
        for part, key, value, user, at in rows:
            conn.execute(
                insert(t["contribution_answer"]),
                {"contribution_id": contribution, "part": part, "key": key, "value": value, "text": value,
                 "updated_by_id": user, "created_at": at, "updated_at": at},
            )  # fmt: skip
    return contribution, first, second


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_saved_part_gets_its_lock_and_nothing_is_lost(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade(PREVIOUS, database_url=url)
        engine = create_db_engine(url)
        try:
            contribution, first, second = _contribution(engine)
            upgrade(REVISION, database_url=url)
            t = _tables(engine)
            with engine.connect() as conn:
                parts = {
                    row.part: row
                    for row in conn.execute(
                        select(t["contribution_part"]).where(t["contribution_part"].c.contribution_id == contribution)
                    )
                }
                answers = conn.execute(select(t["contribution_answer"].c.value)).scalars().all()
                version = conn.scalar(select(t["contribution"].c.version))
            assert set(parts) == {"section:about", "objective:3"}
            assert parts["section:about"].updated_by_id == second and parts["section:about"].version == 1
            assert parts["objective:3"].updated_by_id == first
            assert sorted(answers) == ["More", "Trainings", "Who we are"] and version == 7
            downgrade(PREVIOUS, database_url=url)
            assert "contribution_part" not in _tables(engine) and "contribution_file" not in _tables(engine)
            upgrade(REVISION, database_url=url)
            t = _tables(engine)
            with engine.begin() as conn:
                conn.execute(
                    insert(t["contribution_file"]),
                    {"contribution_id": contribution, "part": "section:about", "key": "report", "name": "r.pdf",
                     "media_type": "application/pdf", "size": 5, "sha256": "0" * 64, "content": b"%PDF-"},
                )  # fmt: skip
            with pytest.raises(RuntimeError, match="document"):
                downgrade(PREVIOUS, database_url=url)
        finally:
            engine.dispose()
