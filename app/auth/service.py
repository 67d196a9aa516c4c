"""Commands on users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.auth import queries
from app.auth.models import ApiToken, Role, User
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from app.catalog import queries as catalog_queries
from app.db import utcnow
from app.errors import Conflict, NotFound, ValidationFailed

TOKEN_PREFIX = "gcm_"  # noqa: S105 - a visible prefix, not a secret


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    """A password must have at least MIN_PASSWORD_LENGTH characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", field="password")


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    country_iso3: str | None = None,
    password: str | None = None,
) -> User:
    """Create a user; a focal point needs a country, other roles must not have one; e-mails are unique."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValidationFailed("Enter a valid e-mail address.", field="email")
    if not name.strip():
        raise ValidationFailed("Enter the person's name.", field="name")
    if queries.get_user_by_email(session, email) is not None:
        raise Conflict(f"A user with the e-mail address {email} already exists.", field="email")
    country_id = None
    if role is Role.focal_point:
        if not country_iso3:
            raise ValidationFailed("A focal point must be bound to a country (ISO3 code).", field="country")
        country = catalog_queries.get_country(session, country_iso3)
        if country is None:
            raise NotFound(f"No member State or associate member has the code {country_iso3}.", field="country")
        country_id = country.id
    elif country_iso3:
        raise ValidationFailed("Only focal points are bound to a country.", field="country")
    user = User(email=email, name=name.strip(), role=role, country_id=country_id)
    if password is not None:
        check_password_strength(password)
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password (strength checked)."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    session.flush()


def digest_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once; only its digest is stored
    record: ApiToken


def create_token(session: Session, *, user: User, name: str = "", expires_at: datetime | None = None) -> IssuedToken:
    """Issue a new API token for an active user; the plain token is returned once and never stored."""
    if not user.is_active:
        raise Conflict("This user is deactivated; activate them before issuing a token.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest_token(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        expires_at=expires_at,
    )
    session.add(record)
    session.flush()
    return IssuedToken(token=token, record=record)


def authenticate_token(session: Session, token: str) -> User | None:
    """The active user a token belongs to, if the token is known, not revoked and not expired."""
    record = queries.get_token_by_digest(session, digest_token(token))
    if record is None or record.revoked_at is not None:
        return None
    now = utcnow()
    if record.expires_at is not None and record.expires_at <= now:
        return None
    user = record.user
    if not user.is_active:
        return None
    return user
