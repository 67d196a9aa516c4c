"""Browser sessions, sign-in throttling and one-time password links. No FastAPI here: the routes call these."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from app.auth import queries
from app.auth.models import LoginAttempt, PasswordToken, User, UserSession
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.service import check_password_strength, digest_token, normalise_email
from app.db import utcnow
from app.errors import AppError, NotFound
from app.i18n import _

SESSION_IDLE = timedelta(days=7)  # signed out after a week without a visit
SESSION_LIFETIME = timedelta(days=30)
TOUCH_EVERY = timedelta(minutes=15)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
PASSWORD_LINK_LIFETIME = timedelta(days=7)


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


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie; only its digest is stored
    record: UserSession


def _retry_after(session: Session, column: object, value: str, limit: int, now: datetime) -> timedelta | None:
    since = now - THROTTLE_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(column == value, LoginAttempt.succeeded.is_(True))
    )
    if last_success is not None and last_success > since:
        since = last_success
    failures = list(
        session.scalars(
            select(LoginAttempt.attempted_at)
            .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since)
            .order_by(LoginAttempt.attempted_at.desc())
            .limit(limit)
        )
    )
    if len(failures) < limit:
        return None
    return failures[-1] + THROTTLE_WINDOW - now


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


def authenticate(session: Session, *, email: str, password: str, ip_address: str) -> User:
    """Check the password of an active user, throttled; every attempt is recorded."""
    check_throttle(session, email=email, ip_address=ip_address)
    user = queries.get_user_by_email(session, email)
    ok = user is not None and user.is_active and verify_password(user.password_hash, password)
    session.add(LoginAttempt(email=normalise_email(email)[:254], ip_address=ip_address[:45], succeeded=ok))
    session.flush()
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
    record = session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == digest_token(token))
        .options(joinedload(UserSession.user).joinedload(User.country))
    )
    now = utcnow()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    if record.last_seen_at + SESSION_IDLE <= now or not record.user.is_active:
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
    return record


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
    """Change one's own password (the current one is required); other sessions are signed out."""
    if not verify_password(user.password_hash, current_password):
        raise AppError(_("The current password is not right."), field="current_password")
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
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
    record = session.scalar(
        select(PasswordToken)
        .where(PasswordToken.token_hash == digest_token(token))
        .options(joinedload(PasswordToken.user))
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow() or not record.user.is_active:
        raise NotFound(_("This link is not valid any more. Ask an administrator for a new one."))
    return record


def use_password_token(session: Session, *, token: str, password: str) -> User:
    """Set a password with a one-time link; the link then stops working and old sessions end."""
    record = get_password_token(session, token)
    check_password_strength(password)
    record.user.password_hash = hash_password(password)
    record.used_at = utcnow()
    revoke_all_sessions(session, record.user)
    session.flush()
    return record.user
