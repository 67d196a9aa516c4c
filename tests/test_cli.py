"""The gcm command, run in-process against a fresh database of each backend."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app import config, db
from app.auth.models import Role, User
from app.auth.service import authenticate_token
from app.catalog.models import Country, Objective
from app.cli import cli
from tests.databases import throwaway_database

runner = CliRunner()


def _clear_caches() -> None:
    if db.get_sessionmaker.cache_info().currsize:
        db.get_engine().dispose()
    for cached in (config.get_settings, db.get_engine, db.get_sessionmaker):
        cached.cache_clear()


@pytest.fixture
def cli_db(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with throwaway_database(backend, tmp_path) as url:
        monkeypatch.setenv("GCM_DATABASE_URL", url)
        _clear_caches()
        try:
            yield url
        finally:
            _clear_caches()


def gcm(*args: str, input: str | None = None, ok: bool = True) -> str:
    result = runner.invoke(cli, list(args), input=input)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
    return result.output


def count(model: type) -> int:
    with db.get_sessionmaker()() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_db_upgrade_then_seed_twice_is_idempotent(cli_db: str) -> None:
    gcm("db", "upgrade")
    first = gcm("seed")
    assert "62 country created" in first and "23 objective created" in first
    second = gcm("seed")
    assert "nothing changed" in second
    assert (count(Country), count(Objective)) == (62, 23)


def test_db_downgrade_to_base_removes_the_tables(cli_db: str) -> None:
    gcm("db", "upgrade", "3a73cc7f9a70")  # the last migration that can be reverted
    gcm("db", "downgrade", "base")
    gcm("db", "upgrade", "head")
    assert count(Country) == 0


def test_db_downgrade_past_answers_per_question_is_refused_clearly(cli_db: str) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    out = gcm("db", "downgrade", "base", ok=False)
    assert "Nothing was downgraded" in out and "Restore the backup taken before the upgrade" in out
    assert count(Country) > 0  # the database is as it was


def test_user_create_with_password_from_stdin_and_token(cli_db: str) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    out = gcm(
        "user",
        "create",
        "--email",
        "FP@Example.org",
        "--name",
        "Focal Point",
        "--role",
        "focal_point",
        "--country",
        "phl",
        "--password-stdin",
        input="a-good-long-password\n",
    )
    assert "Created focal_point fp@example.org for PHL" in out
    token = gcm("token", "create", "--email", "fp@example.org").strip()
    assert token.startswith("gcm_")
    with db.get_sessionmaker()() as session:
        user = authenticate_token(session, token)
        assert user is not None and user.role is Role.focal_point
        assert user.password_hash and "a-good-long-password" not in user.password_hash


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "focal_point"], "must be bound to a country"),
        (["--role", "admin", "--country", "PHL"], "Only focal points"),
        (["--role", "focal_point", "--country", "XXX"], "No member State"),
    ],
)
def test_user_create_refuses_bad_input_and_writes_nothing(cli_db: str, args: list[str], message: str) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    out = gcm("user", "create", "--email", "a@example.org", "--name", "A", *args, ok=False)
    assert message in out
    assert count(User) == 0


def test_user_create_refuses_a_duplicate_email_and_short_password(cli_db: str) -> None:
    gcm("db", "upgrade")
    gcm("user", "create", "--email", "a@example.org", "--name", "A", "--role", "admin")
    out = gcm("user", "create", "--email", "A@example.org", "--name", "B", "--role", "preparer", ok=False)
    assert "already exists" in out
    out = gcm(
        "user",
        "create",
        "--email",
        "b@example.org",
        "--name",
        "B",
        "--role",
        "admin",
        "--password-stdin",
        input="short\n",
        ok=False,
    )
    assert "at least 10 characters" in out
    assert count(User) == 1


def test_token_for_unknown_user_fails(cli_db: str) -> None:
    gcm("db", "upgrade")
    assert "No user" in gcm("token", "create", "--email", "nobody@example.org", ok=False)


def test_installed_entry_point_runs() -> None:
    gcm_path = Path(sys.executable).parent / "gcm"
    result = subprocess.run([str(gcm_path), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    for command in ("serve", "seed", "demo", "db", "user", "token"):
        assert command in result.stdout


def test_serve_refuses_placeholder_secret_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))  # never block if the check regresses
    monkeypatch.setenv("GCM_ENV", "production")
    monkeypatch.setenv("GCM_SECRET_KEY", "change-me")
    _clear_caches()
    try:
        result = runner.invoke(cli, ["serve"])
    finally:
        _clear_caches()
    assert result.exit_code != 0
    assert started == []
    assert "GCM_SECRET_KEY" in str(result.exception) + result.output


def test_demo_users_exist_after_gcm_demo(cli_db: str) -> None:
    gcm("db", "upgrade")
    out = gcm("demo")
    assert "Demo data created" in out and "admin@demo.gcm.example" in out and "gcm-demo-2026" in out
    assert "already present" in gcm("demo")
    with db.get_sessionmaker()() as session:
        roles = set(session.scalars(select(User.role)))
    assert roles == set(Role)
