from __future__ import annotations

import gc
from pathlib import Path

import pytest
from pydantic import ValidationError
from starlette.testclient import TestClient

from app.config import DEFAULT_SQLITE_URL, Environment, Settings
from app.main import create_app


def test_defaults_use_an_embedded_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GCM_DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url == DEFAULT_SQLITE_URL == "sqlite:///./var/gcm.sqlite3"
    assert settings.is_sqlite


@pytest.mark.parametrize("secret", ["dev-insecure-secret-key", "change-me", "short"])
def test_production_refuses_a_placeholder_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="GCM_SECRET_KEY"):
        Settings(_env_file=None, env=Environment.production, secret_key=secret)


def test_production_accepts_a_real_secret() -> None:
    settings = Settings(_env_file=None, env=Environment.production, secret_key="x" * 48)
    assert settings.is_production


def test_settings_read_the_gcm_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCM_ENV", "production")
    monkeypatch.setenv("GCM_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("GCM_DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = Settings(_env_file=None)
    assert settings.env is Environment.production
    assert not settings.is_sqlite


@pytest.mark.parametrize(("env", "secure"), [("development", False), ("test", True), ("production", True)])
def test_cookies_are_secure_outside_development(env: str, secure: bool) -> None:
    settings = Settings(_env_file=None, env=Environment(env), secret_key="x" * 48)
    assert settings.cookie_secure is secure


def test_start_up_freezes_the_objects_alive_outside_the_test_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Settings(_env_file=None, env=Environment.development).gc_freeze
    assert not Settings(_env_file=None, env=Environment.test).gc_freeze
    monkeypatch.setenv("GCM_GC_FREEZE", "true")
    settings = Settings(_env_file=None, env=Environment.test, database_url=f"sqlite:///{tmp_path / 'gc.sqlite3'}")
    assert settings.gc_freeze
    gc.unfreeze()
    try:
        with TestClient(create_app(settings)) as client:
            assert gc.get_freeze_count() > 0  # the lifespan froze what start-up left alive
            assert client.get("/healthz").status_code == 200
    finally:
        gc.unfreeze()  # give the frozen objects back to the collector: the suite creates many apps
    monkeypatch.setenv("GCM_GC_FREEZE", "false")
    assert not Settings(_env_file=None, env=Environment.production, secret_key="x" * 48).gc_freeze


def test_the_result_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.data_version import ResultCache

    assert isinstance(create_app(Settings(env=Environment.test)).state.result_cache, ResultCache)
    monkeypatch.setenv("GCM_RESULT_CACHE", "false")
    assert create_app(Settings(env=Environment.test)).state.result_cache is None
