"""The preview never holds SQLite's write lock: other writers carry on while a file is read and checked.

A real application on its own SQLite file (the shared test fixtures run every request inside the test's open
transaction, so they cannot show which transactions a request starts).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.config import Environment, Settings
from app.db import create_db_engine
from app.imports.models import PendingImport
from app.main import create_app
from app.migrate import upgrade
from app.seed import seed_reference_data
from tests.databases import throwaway_database
from tests.factories import make_user, post_form, sign_in

ROWS = "".join(f"10.7.3,THA,{1950 + n},{n},IOM,\n" for n in range(70))
CSV = ("indicator,country,period,value,source,note\n" + ROWS).encode()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with throwaway_database("sqlite", tmp_path) as url:
        upgrade("head", database_url=url)
        yield url


def test_the_preview_reads_without_the_write_lock(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    with Session(engine, expire_on_commit=False) as session:
        seed_reference_data(session)
        user = make_user(session, role=Role.admin)
        session.commit()
    engine.dispose()
    app = create_app(Settings(env=Environment.test, database_url=sqlite_url))
    path = sqlite_url.removeprefix("sqlite:///")
    other_writer_could: list[bool] = []

    def try_to_write(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM indicator_value" in statement:  # the plan reads the existing rows: may someone else write now?
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                other_writer_could.append(True)
            except sqlite3.OperationalError:
                other_writer_could.append(False)
            finally:
                other.close()

    with TestClient(app, base_url="https://127.0.0.1") as client:
        sign_in(client, user)
        event.listen(app.state.engine, "before_cursor_execute", try_to_write)
        response = post_form(client, "/imports/preview", {"kind": "values"},
                             files={"upload": ("values.csv", CSV, "text/csv")})  # fmt: skip
        event.remove(app.state.engine, "before_cursor_execute", try_to_write)
        assert response.status_code == 200, response.text
        assert other_writer_could == [True]
        with app.state.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(PendingImport)) == 1
