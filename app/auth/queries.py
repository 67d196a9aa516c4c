from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from app.auth.models import ApiToken, LoginAttempt, PasswordToken, User, UserSession


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_token_by_digest(session: Session, digest: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest).options(joinedload(ApiToken.user)))


def list_users(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).options(joinedload(User.country), joinedload(User.organisation)).order_by(User.email)
        )
    )


def search_users(
    session: Session,
    *,
    text: str = "",
    role: str | None = None,
    country_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[User], int]:
    """The administrators' list: users whose name or e-mail address contains ``text`` (any case; ``%`` and ``_``
    are plain characters), of a role and a country, by e-mail address; one page of them and how many match."""
    conditions: list[ColumnElement[bool]] = []
    if text:
        conditions.append(User.email.icontains(text, autoescape=True) | User.name.icontains(text, autoescape=True))
    if role:
        conditions.append(User.role == role)
    if country_id is not None:
        conditions.append(User.country_id == country_id)
    total = session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    found = session.scalars(
        select(User)
        .where(*conditions)
        .options(joinedload(User.country), joinedload(User.organisation))
        .order_by(User.email)
        .offset(offset)
        .limit(limit)
    )
    return list(found), total


def get_user(session: Session, user_id: int) -> User | None:
    """One user with their country and organisation."""
    return session.scalar(
        select(User).where(User.id == user_id).options(joinedload(User.country), joinedload(User.organisation))
    )


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's API tokens, newest first (revoked and expired ones too: the page says so)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


def get_user_token(session: Session, user_id: int, token_id: int) -> ApiToken | None:
    """One token, only if it belongs to the user."""
    return session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))


def tokens_by_prefix(session: Session, prefix: str, *, limit: int) -> list[ApiToken]:
    """API tokens whose prefix starts with ``prefix`` (taken literally), at most ``limit``."""
    return list(
        session.scalars(select(ApiToken).where(ApiToken.prefix.startswith(prefix, autoescape=True)).limit(limit))
    )


def session_by_digest(session: Session, digest: str) -> UserSession | None:
    """The session row of a cookie token's digest, with its user and the user's country."""
    return session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == digest)
        .options(joinedload(UserSession.user).joinedload(User.country))
    )


def password_token_by_digest(session: Session, digest: str) -> PasswordToken | None:
    """The set-password link of a token's digest, with its user."""
    return session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == digest).options(joinedload(PasswordToken.user))
    )


def last_success(session: Session, column: InstrumentedAttribute[str], value: str) -> datetime | None:
    """When the account (or address: ``column``) last signed in successfully."""
    return session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(column == value, LoginAttempt.succeeded.is_(True))
    )


def recent_failures(
    session: Session, column: InstrumentedAttribute[str], value: str, *, since: datetime, limit: int
) -> list[datetime]:
    """The newest failed sign-ins of the account (or address) after ``since``, newest first, at most ``limit``."""
    return list(
        session.scalars(
            select(LoginAttempt.attempted_at)
            .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since)
            .order_by(LoginAttempt.attempted_at.desc())
            .limit(limit)
        )
    )


def prunable_ids(
    model: type[LoginAttempt] | type[UserSession], dead: ColumnElement[bool], *, limit: int | None, skip_locked: bool
) -> Select[int]:
    """The ids of ``model``'s rows matching ``dead`` (a subquery for the DELETE of ``sessions.prune``): the oldest
    ``limit`` of them (None: all), skipping rows another transaction has locked when ``skip_locked`` (PostgreSQL)."""
    ids = select(model.id).where(dead)
    if limit is not None:
        ids = ids.order_by(model.id).limit(limit)
        if skip_locked:
            ids = ids.with_for_update(skip_locked=True)
    return ids
