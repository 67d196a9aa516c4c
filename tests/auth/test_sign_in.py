"""Safe defaults of signing in: the time of an answer tells nothing, pruning, and no demo data in production."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import db
from app.auth import sessions
from app.auth.models import LoginAttempt, User, UserSession
from app.db import utcnow
from tests.factories import make_user
from tests.test_cli import _clear_caches, cli_db, gcm  # noqa: F401


def _seconds(session: Session, email: str, ip_address: str) -> float:
    start = time.perf_counter()
    with pytest.raises(sessions.InvalidCredentials):
        sessions.authenticate(session, email=email, password="not the password", ip_address=ip_address)
    return time.perf_counter() - start


@pytest.mark.usefixtures("strong_password_hashing")
def test_an_unknown_email_takes_as_long_as_a_known_one(session: Session) -> None:
    user = make_user(session)
    without_password = make_user(session, password=None)
    _seconds(session, user.email, "10.7.0.1")  # warm up (the dummy hash is computed once)
    known = min(_seconds(session, user.email, f"10.7.1.{i}") for i in range(3))
    unknown = min(_seconds(session, f"nobody{i}@example.org", f"10.7.2.{i}") for i in range(3))
    no_password = min(_seconds(session, without_password.email, f"10.7.3.{i}") for i in range(3))
    # An Argon2 verification takes tens of milliseconds; skipping it would answer in about one.
    assert unknown > known * 0.5, (known, unknown)
    assert no_password > known * 0.5, (known, no_password)


def test_sign_in_prunes_old_attempts_and_sessions_that_ended(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    old = LoginAttempt(
        email="old@example.org", ip_address="10.8.0.1", succeeded=False, attempted_at=now - timedelta(days=8)
    )
    recent = LoginAttempt(email="recent@example.org", ip_address="10.8.0.1", succeeded=False)
    live = UserSession(user_id=user.id, token_hash="a" * 64, expires_at=now + timedelta(days=1))
    expired = UserSession(user_id=user.id, token_hash="b" * 64, expires_at=now - timedelta(seconds=1))
    revoked = UserSession(user_id=user.id, token_hash="c" * 64, expires_at=now + timedelta(days=1), revoked_at=now)
    idle = UserSession(
        user_id=user.id, token_hash="d" * 64, expires_at=now + timedelta(days=1), last_seen_at=now - timedelta(days=8)
    )
    session.add_all([old, recent, live, expired, revoked, idle])
    session.flush()
    ids = {r.id for r in (old, recent)}, {r.id for r in (live, expired, revoked, idle)}
    sessions.authenticate(session, email=user.email, password="correct horse battery", ip_address="10.8.0.2")
    session.expire_all()
    assert set(session.scalars(select(LoginAttempt.id).where(LoginAttempt.id.in_(ids[0])))) == {recent.id}
    assert set(session.scalars(select(UserSession.id).where(UserSession.id.in_(ids[1])))) == {live.id}


def test_gcm_prune_deletes_every_old_attempt(cli_db: str) -> None:  # noqa: F811
    gcm("db", "upgrade")
    with db.get_sessionmaker()() as session:
        long_ago = utcnow() - timedelta(days=30)
        session.add_all(
            LoginAttempt(email=f"x{i}@example.org", ip_address="10.8.1.1", succeeded=False, attempted_at=long_ago)
            for i in range(sessions.PRUNE_BATCH + 5)
        )
        session.add(LoginAttempt(email="now@example.org", ip_address="10.8.1.1", succeeded=False))
        session.commit()
    out = gcm("prune")
    assert f"Deleted {sessions.PRUNE_BATCH + 5} old sign-in attempt(s)" in out
    with db.get_sessionmaker()() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 1


def test_gcm_demo_refuses_to_run_in_production(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    gcm("db", "upgrade")
    monkeypatch.setenv("GCM_ENV", "production")
    monkeypatch.setenv("GCM_SECRET_KEY", "a-real-secret-of-more-than-thirty-two-characters")
    _clear_caches()
    out = gcm("demo", ok=False)
    assert "refuses to run when GCM_ENV=production" in out
    with db.get_sessionmaker()() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    monkeypatch.setenv("GCM_SECRET_KEY", "change-me")  # a placeholder secret as well: refused all the same
    _clear_caches()
    assert "refuses to run" in gcm("demo", ok=False)
