from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import ApiToken, User


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_token_by_digest(session: Session, digest: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest).options(joinedload(ApiToken.user)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(joinedload(User.country)).order_by(User.email)))


def get_user(session: Session, user_id: int) -> User | None:
    """One user with their country."""
    return session.scalar(select(User).where(User.id == user_id).options(joinedload(User.country)))


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's API tokens, newest first (revoked and expired ones too: the page says so)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


def get_user_token(session: Session, user_id: int, token_id: int) -> ApiToken | None:
    """One token, only if it belongs to the user."""
    return session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
