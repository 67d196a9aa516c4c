"""``gcm dump`` reads one snapshot while people go on saving: the file restores into the other kind of database, and
on SQLite the dump never holds the write lock (a save made during the dump commits at once)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.backup.service import dump, restore
from app.cycles.models import ReviewCycle
from app.db import create_db_engine
from app.migrate import upgrade
from app.seed import seed_reference_data
from app.submissions.models import Submission
from tests.databases import BACKENDS, throwaway_database
from tests.factories import make_cycle, make_submission, make_user

WRITER_SECONDS = 5  # a save that waits this long for the dump counts as blocked


def _other(backend: str) -> str:
    others = [b for b in BACKENDS if b != backend]
    return others[0] if others else backend  # one database only: restore into a fresh one of the same kind


@pytest.mark.parametrize("source", BACKENDS)
def test_a_dump_taken_while_people_save_restores_into_the_other_database(source: str, tmp_path: Path) -> None:
    target = _other(source)
    with throwaway_database(source, tmp_path / "source") as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference_data(session)
            focal_id = make_user(session, role=Role.focal_point, country="PHL").id
            session.commit()
        writer: dict[str, object] = {}

        def save_a_new_review() -> None:  # another user, another connection: a cycle, then a review in it
            started = time.monotonic()
            try:
                with Session(engine) as session:
                    focal = session.get(User, focal_id)
                    cycle = make_cycle(session)
                    make_submission(session, focal_point=focal, cycle=cycle)
                    session.commit()
                    writer["cycle_id"] = cycle.id
            except Exception as exc:  # e.g. "database is locked": the dump held the write lock
                writer["error"] = exc
            writer["seconds"] = time.monotonic() - started

        def between_tables(name: str) -> None:
            if name == ReviewCycle.__tablename__:  # cycles are written; submissions are still to come
                thread = threading.Thread(target=save_a_new_review)
                thread.start()
                thread.join(WRITER_SECONDS)
                writer["done_during_dump"] = not thread.is_alive()

        path = tmp_path / "busy.jsonl.gz"
        with engine.connect() as connection:
            counts = dump(connection, path, after_table=between_tables)
        # The save went through while the dump was still reading (SQLite: no write lock held by the dump).
        assert writer.get("done_during_dump") is True, writer
        assert "error" not in writer, writer
        with Session(engine) as session:  # it is in the database, but not in the dump's snapshot
            assert session.get(ReviewCycle, writer["cycle_id"]) is not None
            assert session.scalar(select(func.count()).select_from(Submission)) == 1
        engine.dispose()
    with throwaway_database(target, tmp_path / "target") as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with engine.begin() as connection:  # fails on a foreign key if the review came without its cycle
            restored = restore(connection, path)
        assert restored == counts
        engine.dispose()
    assert counts[Submission.__tablename__] == 0  # the snapshot is the moment the dump began


def test_dump_refuses_a_connection_already_in_a_transaction(tmp_path: Path) -> None:
    with throwaway_database("sqlite", tmp_path) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with engine.connect() as connection:
            connection.execute(select(1))
            with pytest.raises(ValueError, match="outside a transaction"):
                dump(connection, tmp_path / "x.jsonl.gz")
        engine.dispose()
