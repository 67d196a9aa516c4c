"""Against the real database, with real threads and connections (committed data, removed afterwards): sign-in
throttling holds under parallel attempts, and page views never fail on a concurrent write."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import service as auth_service
from app.auth import sessions
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import ApiToken, LoginAttempt, Role, User, UserSession
from app.config import Environment, Settings
from app.db import utcnow
from app.main import create_app
from tests.factories import PASSWORD


@pytest.fixture
def committed(engine: Engine) -> Iterator[Callable[..., User]]:
    """Create users committed for real; they (and every sign-in attempt of this test) are deleted afterwards."""
    created: list[int] = []
    tag = uuid.uuid4().hex[:8]

    def make(role: Role = Role.secretariat) -> User:
        with Session(engine, expire_on_commit=False) as session:
            session.info["audit_disabled"] = True
            user = auth_service.create_user(
                session, email=f"c{len(created)}.{tag}@example.org", name="Concurrent", role=role, password=PASSWORD
            )
            session.commit()
        created.append(user.id)
        return user

    make.tag = tag  # type: ignore[attr-defined]
    yield make
    with Session(engine) as session:
        session.execute(
            delete(LoginAttempt).where(
                or_(LoginAttempt.email.like(f"%{tag}%"), LoginAttempt.ip_address.like(f"{tag}%"))
            )
        )
        session.execute(delete(User).where(User.id.in_(created)))
        session.commit()


def _in_parallel(count: int, attempt: Callable[[int], str]) -> list[str]:
    """Run ``attempt(i)`` in ``count`` threads released at once; each returns a label of its outcome."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcome = attempt(i)
        except Exception as exc:
            outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def _sign_in(engine: Engine, email: str, password: str, ip_address: str) -> str:
    """One sign-in as the route does it: its own session, committed whatever the answer."""
    with Session(engine) as session:
        try:
            sessions.authenticate(session, email=email, password=password, ip_address=ip_address)
            outcome = "signed in"
        except sessions.TooManyAttempts:
            outcome = "throttled"
        except sessions.InvalidCredentials:
            outcome = "checked"
        session.commit()
    return outcome


def test_parallel_wrong_passwords_for_one_account_stop_at_the_limit(
    engine: Engine, committed: Callable[..., User]
) -> None:
    user = committed()
    tag = committed.tag  # type: ignore[attr-defined]
    outcomes = _in_parallel(20, lambda i: _sign_in(engine, user.email, "wrong password", f"{tag}.{i}"))
    assert sorted(outcomes) == sorted(
        ["checked"] * sessions.MAX_FAILURES_PER_ACCOUNT + ["throttled"] * (20 - sessions.MAX_FAILURES_PER_ACCOUNT)
    ), outcomes
    with Session(engine) as session:
        recorded = session.scalars(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()
    assert len(recorded) == sessions.MAX_FAILURES_PER_ACCOUNT


def test_parallel_failures_from_one_address_stop_at_the_limit(engine: Engine, committed: Callable[..., User]) -> None:
    tag = committed.tag  # type: ignore[attr-defined]
    limit = sessions.MAX_FAILURES_PER_ADDRESS
    outcomes = _in_parallel(limit + 10, lambda i: _sign_in(engine, f"g{i}.{tag}@example.org", "wrong", tag))
    assert outcomes.count("checked") == limit, outcomes
    assert outcomes.count("throttled") == 10, outcomes


def test_page_views_never_fail_while_other_writes_commit(
    db_url: str, engine: Engine, committed: Callable[..., User]
) -> None:
    """A page view of a session due for its last-seen refresh, while other transactions keep committing (here:
    making the session due again each time). SQLite used to answer 503 "database is locked"."""
    user = committed()
    with Session(engine) as session:
        new = sessions.start_session(session, user=session.get(User, user.id))  # type: ignore[arg-type]
        session.commit()
        session_id, token = new.record.id, new.token
    app = create_app(Settings(env=Environment.test, database_url=db_url))
    app.state.job_worker_autostart = False
    stop = threading.Event()
    writes = 0

    def age_the_session() -> None:
        nonlocal writes
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(
                    update(UserSession)
                    .where(UserSession.id == session_id)
                    .values(last_seen_at=utcnow() - sessions.TOUCH_EVERY - timedelta(minutes=1))
                )
            writes += 1

    def views(i: int) -> str:
        client = TestClient(app, base_url="https://127.0.0.1", raise_server_exceptions=False)
        client.cookies.set(SESSION_COOKIE, token)
        statuses = [client.get("/account/password").status_code for _ in range(25)]
        return ",".join(str(s) for s in sorted(set(statuses)))

    writer = threading.Thread(target=age_the_session)
    writer.start()
    try:
        outcomes = _in_parallel(4, views)
    finally:
        stop.set()
        writer.join(30)
    assert writes > 10
    assert outcomes == ["200"] * 4, outcomes
    # With nobody else writing, the view refreshes the session's last visit (in its own short transaction).
    client = TestClient(app, base_url="https://127.0.0.1")
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/account/password").status_code == 200
    with Session(engine) as session:
        seen = session.scalar(select(UserSession.last_seen_at).where(UserSession.id == session_id))
    assert seen is not None and utcnow() - seen < timedelta(minutes=1)
    app.state.engine.dispose()


def test_an_api_read_records_when_the_token_was_last_used(
    db_url: str, engine: Engine, committed: Callable[..., User]
) -> None:
    user = committed()
    with Session(engine) as session:
        session.info["audit_disabled"] = True
        issued = auth_service.create_token(session, user=session.get(User, user.id))  # type: ignore[arg-type]
        session.commit()
        token_id = issued.record.id
    app = create_app(Settings(env=Environment.test, database_url=db_url))
    client = TestClient(app, base_url="https://127.0.0.1")
    assert client.get("/api/v1/objectives", headers={"Authorization": f"Bearer {issued.token}"}).status_code == 200
    with Session(engine) as session:
        used = session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))
    assert used is not None and utcnow() - used < timedelta(minutes=1)
    app.state.engine.dispose()
