"""The client's address behind the proxy: X-Forwarded-For is believed from GCM_TRUSTED_PROXIES only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.models import LoginAttempt
from app.config import Environment, Settings
from tests.factories import PASSWORD, make_user, post_form

PROXY = "10.9.0.2"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(db_url: str) -> Settings:  # the app fixture's settings: behind a proxy at PROXY
    return Settings(env=Environment.test, database_url=db_url, trusted_proxies=f"{PROXY}, 10.9.1.0/24")


def _browser(app: FastAPI, host: str) -> TestClient:
    return TestClient(app, base_url="https://127.0.0.1", client=(host, 40000))


def _failed_from(session: Session, email: str) -> list[str]:
    return list(session.scalars(select(LoginAttempt.ip_address).where(LoginAttempt.email == email)))


def test_behind_the_trusted_proxy_the_forwarded_client_address_counts(app: FastAPI, session: Session) -> None:
    user = make_user(session)
    via_proxy = _browser(app, PROXY)
    post_form(
        via_proxy, "/login", {"email": user.email, "password": "wrong"}, headers={"X-Forwarded-For": "203.0.113.7"}
    )
    # A client's own X-Forwarded-For is passed on by the proxy in front: the address the proxy saw counts.
    chained = {"X-Forwarded-For": "192.0.2.66, 203.0.113.8"}
    post_form(via_proxy, "/login", {"email": user.email, "password": "wrong"}, headers=chained)
    post_form(_browser(app, "10.9.1.5"), "/login", {"email": user.email, "password": "wrong"}, headers=chained)
    assert _failed_from(session, user.email) == ["203.0.113.7", "203.0.113.8", "203.0.113.8"]


def test_a_forwarded_header_from_anyone_else_is_ignored(app: FastAPI, session: Session) -> None:
    user = make_user(session)
    spoofer = _browser(app, "198.51.100.4")
    post_form(spoofer, "/login", {"email": user.email, "password": "wrong"}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert _failed_from(session, user.email) == ["198.51.100.4"]


def test_failures_of_one_client_behind_the_proxy_do_not_lock_out_the_others(app: FastAPI, session: Session) -> None:
    via_proxy = _browser(app, PROXY)
    attacker = {"X-Forwarded-For": "203.0.113.20"}
    for i in range(sessions.MAX_FAILURES_PER_ADDRESS):
        form = {"email": f"guess{i}@example.org", "password": "wrong"}
        assert post_form(via_proxy, "/login", form, headers=attacker).status_code == 400
    user = make_user(session)
    refused = post_form(via_proxy, "/login", {"email": user.email, "password": PASSWORD}, headers=attacker)
    assert refused.status_code == 429  # the attacker's own address is throttled...
    colleague = _browser(app, PROXY)
    response = post_form(
        colleague,
        "/login",
        {"email": user.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.21"},
        follow_redirects=False,
    )
    assert response.status_code == 303  # ...everyone else behind the same proxy still signs in


def test_trusted_proxies_must_be_addresses_or_networks(db_url: str) -> None:
    with pytest.raises(ValidationError, match="GCM_TRUSTED_PROXIES"):
        Settings(env=Environment.test, database_url=db_url, trusted_proxies="proxy.example.org")


def test_compose_trusts_the_proxys_fixed_address_only() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert services["app"]["environment"]["GCM_TRUSTED_PROXIES"] == proxy_address
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert proxy_address.rsplit(".", 1)[0] == subnet.rsplit(".", 1)[0]
    assert "reverse-proxy" in services["proxy"]["command"]


def test_gcm_serve_leaves_forwarded_headers_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from app.cli import cli

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))  # uvicorn itself, not our code
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["proxy_headers"] is False  # else uvicorn would also trust 127.0.0.1
