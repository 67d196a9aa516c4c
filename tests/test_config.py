from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import DEFAULT_SQLITE_URL, Environment, Settings


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
