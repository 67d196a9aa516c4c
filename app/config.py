"""Settings read from the environment (prefix ``GCM_``) and an optional ``.env`` file."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = "sqlite:///./var/gcm.sqlite3"

# Values that mean "nobody chose a secret": refused in production.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-insecure-secret-key"})
DEV_SECRET = "dev-insecure-secret-key"  # noqa: S105 - development only; refused in production


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GCM_", env_file=".env", extra="ignore", populate_by_name=True)

    env: Environment = Environment.development
    database_url: str = DEFAULT_SQLITE_URL
    secret_key: str = DEV_SECRET
    sqlite_busy_timeout_ms: int = Field(default=15_000, ge=0)
    # Whether visitors who are not signed in may see published content (dashboards, search).
    public_view: bool = True
    # Share of the 58 regional countries that must report before a regional figure is "adequate": the indicator
    # explorer opens on the latest period reaching it, and a figure from fewer countries carries a warning.
    coverage_threshold: float = Field(default=0.5, ge=0, le=1)
    # Add `Server-Timing: db;desc="N queries"` to every response (benchmarks; off by default).
    query_count_header: bool = False
    # Gzip HTML, JSON, CSS, JS and other text responses (app/web/compression.py); off behind a proxy that compresses
    # (and for the benchmark's "before" figures).
    compression: bool = True
    # Send cookies only over HTTPS. Default: on outside development (browsers treat http://127.0.0.1 and
    # http://localhost as secure, so local test runs work too).
    cookie_secure_override: bool | None = Field(default=None, alias="GCM_COOKIE_SECURE")
    # Outgoing mail (notifications), e.g. smtp://user:pass@host:587 (STARTTLS) or smtps://...:465; empty: the
    # messages are written to the "gcm.mail" log instead.
    smtp_url: str = ""
    mail_from: str = "GCM regional review <no-reply@gcm-review.invalid>"
    # The service's public address, put before the links in e-mails (e.g. https://gcm-review.example.org).
    public_url: str = ""
    # The largest request body (an upload or a form) accepted, in bytes; larger ones get 413. 0: no limit.
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
    # Imports (app/imports/service.py), checked while the file is read, before any database work: the most data
    # rows, columns and characters in a cell; for XLSX the most bytes its zip entries may unpack to in all and the
    # largest unpacked/packed ratio of an entry (zip bombs). A previewed upload waits this long for its confirm.
    import_max_rows: int = Field(default=200_000, ge=1)
    import_max_columns: int = Field(default=30, ge=1)
    import_max_cell_chars: int = Field(default=5_000, ge=1)
    import_max_unpacked_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    import_max_zip_ratio: int = Field(default=200, ge=1)
    import_pending_seconds: int = Field(default=3600, ge=1)
    # Move the objects alive at start-up out of the garbage collector's reach (gc.freeze): a full collection then
    # takes about 15 ms instead of over 100 ms, a stall every request in flight waited for. Default: on, except in
    # the test environment (where many apps are created in one process and frozen objects are never freed).
    gc_freeze_override: bool | None = Field(default=None, alias="GCM_GC_FREEZE")
    # Keep the dashboards' computed figures and search results per process, valid until the next committed write
    # (app/data_version.py). Off: every page computes them afresh (the benchmark measures both).
    result_cache: bool = True
    # The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto headers are believed: IP addresses or networks,
    # comma-separated (e.g. "172.30.80.10" or "10.0.0.0/8"; docker-compose.yml sets its Caddy's). A request from
    # anywhere else keeps its own address, whatever header it sends. Empty: no proxy, headers ignored. The client
    # address is what sign-in throttling counts per address.
    trusted_proxies: str = ""
    # The test suite's cheap Argon2 parameters (app/auth/passwords.py), so its thousands of hashes take
    # microseconds. Honoured only with GCM_ENV=test (tests/conftest.py sets both); anywhere else passwords are
    # always hashed with the strong parameters.
    fast_password_hashing: bool = False

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"GCM_TRUSTED_PROXIES: {item!r} is not an IP address or network (like 172.30.80.10 or 10.0.0.0/8)"
                ) from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        weak = self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32
        if self.env is Environment.production and weak:
            raise ValueError(
                "GCM_SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cookie_secure(self) -> bool:
        if self.cookie_secure_override is not None:
            return self.cookie_secure_override
        return self.env is not Environment.development

    @property
    def gc_freeze(self) -> bool:
        if self.gc_freeze_override is not None:
            return self.gc_freeze_override
        return self.env is not Environment.test

    @property
    def fast_password_hashing_enabled(self) -> bool:
        return self.fast_password_hashing and self.env is Environment.test

    @property
    def is_production(self) -> bool:
        return self.env is Environment.production


@lru_cache
def get_settings() -> Settings:
    return Settings()
