"""Browser sessions, sign-in throttling and one-time password links. No FastAPI here: the routes call these."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Executable, delete, or_, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.auth import queries
from app.auth.models import LoginAttempt, PasswordToken, User, UserSession
from app.auth.passwords import hash_password, needs_rehash, verify_password, verify_password_or_dummy
from app.auth.service import check_password_strength, digest_token, normalise_email, revoke_all_tokens
from app.db import utcnow
from app.errors import AppError, NotFound
from app.i18n import _

log = logging.getLogger("gcm.auth")

SESSION_IDLE = timedelta(days=7)  # signed out after a week without a visit
SESSION_LIFETIME = timedelta(days=30)
TOUCH_EVERY = timedelta(minutes=15)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
PASSWORD_LINK_LIFETIME = timedelta(days=7)
ATTEMPT_RETENTION = timedelta(days=7)  # sign-in attempts are kept this long for the record, then pruned
PRUNE_BATCH = 200  # rows pruned at most per sign-in (gcm prune removes the rest)
# Namespaces of the PostgreSQL advisory locks that serialise sign-ins per account and per address.
LOCK_ACCOUNT, LOCK_ADDRESS = 0x47434D01, 0x47434D02
ASIDE_WAIT_MS = 250  # how long a best-effort write (last seen, last used) waits for a lock before giving up


class TooManyAttempts(AppError):
    status_code = 429

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(
            _("Too many failed sign-ins. For your security, wait %(minutes)s minutes and try again.")
            % {"minutes": minutes}
        )
        self.retry_after = retry_after


class InvalidCredentials(AppError):
    status_code = 400

    def __init__(self) -> None:
        super().__init__(_("The e-mail address or password is not right."), field="password")


class AccountDeactivated(AppError):
    """Said only to someone who gave the right password: it tells nothing to someone guessing."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__(
            _("This account has been deactivated. Ask an administrator if you need access again."), field="email"
        )


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie; only its digest is stored
    record: UserSession


def _retry_after(
    session: Session, column: InstrumentedAttribute[str], value: str, limit: int, now: datetime
) -> timedelta | None:
    since = now - THROTTLE_WINDOW
    last_success = queries.last_success(session, column, value)
    if last_success is not None and last_success > since:
        since = last_success
    failures = queries.recent_failures(session, column, value, since=since, limit=limit)
    if len(failures) < limit:
        return None
    return failures[-1] + THROTTLE_WINDOW - now


def _lock_key(value: str) -> int:
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)


def lock_sign_ins(session: Session, *, email: str, ip_address: str) -> None:
    """Serialise sign-ins for one account and one address until the transaction ends, so the failures counted by
    check_throttle and the one recorded by authenticate cannot interleave with a parallel attempt's (20 parallel
    wrong passwords are then 5 checked, 15 refused). PostgreSQL: transaction-scoped advisory locks, always account
    first, then address (one order: no deadlock). SQLite: nothing to do, a writing transaction starts with BEGIN
    IMMEDIATE (app/db.py), so sign-ins already run one at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for namespace, value in ((LOCK_ACCOUNT, normalise_email(email)), (LOCK_ADDRESS, ip_address)):
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": namespace, "key": _lock_key(value)})


def check_throttle(session: Session, *, email: str, ip_address: str) -> None:
    """Refuse a sign-in after too many recent failures for the account or from the address."""
    now = utcnow()
    for column, value, limit in (
        (LoginAttempt.email, normalise_email(email), MAX_FAILURES_PER_ACCOUNT),
        (LoginAttempt.ip_address, ip_address, MAX_FAILURES_PER_ADDRESS),
    ):
        wait = _retry_after(session, column, value, limit, now)
        if wait is not None and wait > timedelta(0):
            raise TooManyAttempts(wait)


def prune(session: Session, *, limit: int | None = PRUNE_BATCH) -> tuple[int, int]:
    """Delete sign-in attempts older than ATTEMPT_RETENTION and sessions that can no longer be used (expired,
    revoked, idle too long); at most ``limit`` of each (None: all). Rows another transaction is pruning are
    skipped (PostgreSQL), so parallel sign-ins do not wait for each other here. Returns (attempts, sessions)."""
    now = utcnow()
    postgres = session.get_bind().dialect.name == "postgresql"
    counts = []
    for model, dead in (
        (LoginAttempt, LoginAttempt.attempted_at < now - ATTEMPT_RETENTION),
        (
            UserSession,
            or_(
                UserSession.expires_at <= now,
                UserSession.revoked_at.is_not(None),
                UserSession.last_seen_at <= now - SESSION_IDLE,
            ),
        ),
    ):
        ids = queries.prunable_ids(model, dead, limit=limit, skip_locked=postgres)
        result = session.execute(
            delete(model).where(model.id.in_(ids.scalar_subquery())).execution_options(synchronize_session=False)
        )
        counts.append(int(result.rowcount or 0))  # type: ignore[attr-defined]
    return counts[0], counts[1]


def authenticate(session: Session, *, email: str, password: str, ip_address: str) -> User:
    """Check the password of an active user, throttled; every attempt is recorded.

    An unknown e-mail costs the same Argon2 verification as a known one (a dummy hash), and a deactivated account
    is named only to someone who gave its right password; anyone else gets the ordinary wrong-credentials answer."""
    lock_sign_ins(session, email=email, ip_address=ip_address)
    prune(session)
    check_throttle(session, email=email, ip_address=ip_address)
    user = queries.get_user_by_email(session, email)
    password_ok = verify_password_or_dummy(user.password_hash if user is not None else None, password)
    ok = password_ok and user is not None and user.is_active
    session.add(LoginAttempt(email=normalise_email(email)[:254], ip_address=ip_address[:45], succeeded=ok))
    session.flush()
    if user is not None and password_ok and not user.is_active:
        raise AccountDeactivated()
    if not ok or user is None:
        raise InvalidCredentials()
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def start_session(session: Session, *, user: User, ip_address: str = "", user_agent: str = "") -> NewSession:
    token = secrets.token_urlsafe(32)
    record = UserSession(
        user_id=user.id,
        token_hash=digest_token(token),
        expires_at=utcnow() + SESSION_LIFETIME,
        ip_address=ip_address[:45],
        user_agent=user_agent[:300],
    )
    session.add(record)
    session.flush()
    return NewSession(token=token, record=record)


def load_session(session: Session, token: str) -> UserSession | None:
    """The live session for a cookie token (not revoked, not expired, not idle too long, user active)."""
    record = queries.session_by_digest(session, digest_token(token))
    now = utcnow()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    if record.last_seen_at + SESSION_IDLE <= now or not record.user.is_active:
        return None
    return record


def touch_due(record: UserSession, now: datetime | None = None) -> bool:
    return (now or utcnow()) - record.last_seen_at >= TOUCH_EVERY


def touch_statement(record: UserSession, now: datetime) -> Executable:
    """Refresh a session's last visit (its idle time starts again), unless someone did a moment ago."""
    return (
        update(UserSession)
        .where(UserSession.id == record.id, UserSession.last_seen_at < now - TOUCH_EVERY)
        .values(last_seen_at=now)
    )


def write_aside(engine: Engine, statement: Executable) -> bool:
    """Run one small bookkeeping write (a session's last visit, a token's last use) in its own short transaction,
    for requests that only read: a page view never depends on it. It waits at most ASIDE_WAIT_MS for a lock, and
    any failure is logged and swallowed (the next request tries again). Returns whether it was written."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                raw: Any = conn.connection.driver_connection  # the sqlite3 connection
                previous = raw.execute("PRAGMA busy_timeout").fetchone()[0]
                raw.execute(f"PRAGMA busy_timeout={ASIDE_WAIT_MS}")
                try:
                    with conn.begin():
                        conn.execute(statement)
                finally:
                    raw.execute(f"PRAGMA busy_timeout={int(previous)}")
            else:
                with conn.begin():
                    conn.execute(text(f"SET LOCAL lock_timeout = '{ASIDE_WAIT_MS}ms'"))
                    conn.execute(statement)
    except Exception as exc:  # bookkeeping only: never fail the request for it
        log.warning("Skipped a bookkeeping write (%s: %s); the next request tries again.", type(exc).__name__, exc)
        return False
    return True


def end_session(session: Session, record: UserSession) -> None:
    record.revoked_at = utcnow()
    session.flush()


def revoke_all_sessions(session: Session, user: User) -> None:
    """End every session of a user (on deactivation or a password change)."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(
    session: Session, *, user: User, current_password: str, new_password: str, keep: UserSession | None
) -> None:
    """Change one's own password (the current one is required); other sessions are signed out and every API token
    is revoked."""
    if not verify_password(user.password_hash, current_password):
        raise AppError(_("The current password is not right."), field="current_password")
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    revoke_all_tokens(session, user)  # for good: a token does not outlive the password it was issued under
    session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.id != (keep.id if keep else -1),
        )
        .values(revoked_at=utcnow())
    )
    session.flush()


def issue_password_link(session: Session, *, user: User, issued_by: User | None) -> str:
    """Create a one-time token for setting a password; earlier unused ones stop working."""
    now = utcnow()
    session.execute(
        update(PasswordToken)
        .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordToken(
            user_id=user.id,
            token_hash=digest_token(token),
            created_by_id=issued_by.id if issued_by else None,
            expires_at=now + PASSWORD_LINK_LIFETIME,
        )
    )
    session.flush()
    return token


def get_password_token(session: Session, token: str) -> PasswordToken:
    record = queries.password_token_by_digest(session, digest_token(token))
    if record is None or record.used_at is not None or record.expires_at <= utcnow() or not record.user.is_active:
        raise NotFound(_("This link is not valid any more. Ask an administrator for a new one."))
    return record


def use_password_token(session: Session, *, token: str, password: str) -> User:
    """Set a password with a one-time link; the link then stops working, old sessions end, API tokens are revoked."""
    record = get_password_token(session, token)
    check_password_strength(password)
    record.user.password_hash = hash_password(password)
    record.used_at = utcnow()
    revoke_all_sessions(session, record.user)
    revoke_all_tokens(session, record.user)
    session.flush()
    return record.user
