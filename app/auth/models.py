"""Users (one role each) and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Country
from app.db import Base, TimestampMixin, VersionedMixin, utcnow
from app.organisations.models import Organisation


class Role(StrEnum):
    admin = "admin"
    secretariat = "secretariat"
    focal_point = "focal_point"
    preparer = "preparer"
    stakeholder = "stakeholder"  # a user of an organisation (app/organisations), not of a State


class User(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "user_account"  # "user" is a reserved word in PostgreSQL
    __table_args__ = (
        # A focal point is bound to exactly one country; other roles to none.
        CheckConstraint(
            "(role = 'focal_point' AND country_id IS NOT NULL) OR (role <> 'focal_point' AND country_id IS NULL)",
            name="focal_point_has_country",
        ),
        # A stakeholder belongs to exactly one organisation; other roles to none.
        CheckConstraint(
            "(role = 'stakeholder' AND organisation_id IS NOT NULL) OR "
            "(role <> 'stakeholder' AND organisation_id IS NULL)",
            name="stakeholder_has_organisation",
        ),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role]
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    # Null until a password is set (an administrator issues a one-time link instead of a password).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    last_login_at: Mapped[datetime | None]
    # The language the user reads in (app.i18n.LOCALES); None: the browser's. It becomes the language cookie at
    # sign-in, and a language chosen while signed in becomes it (app.auth.dependencies.session_user).
    language: Mapped[str | None] = mapped_column(String(8))

    country: Mapped[Country | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", lazy="raise")


class ApiToken(TimestampMixin, Base):
    """A bearer token for the API. Only a SHA-256 digest is stored; the token is shown once, at creation. It expires
    (90 days by default) and, once revoked (by its owner, an administrator, a password change or a deactivation),
    never works again: reactivating the user does not revive it."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens", lazy="raise")


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 digest is stored here."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip_address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="", server_default="")

    user: Mapped[User] = relationship(lazy="raise")

    __audited__ = False


class LoginAttempt(Base):
    """One sign-in attempt, kept for throttling (per account and per address) and for the record (ATTEMPT_RETENTION,
    then pruned)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "attempted_at"),
        Index("ix_login_attempt_ip_at", "ip_address", "attempted_at"),
        Index("ix_login_attempt_attempted_at", "attempted_at"),  # pruning old attempts (sessions.prune)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]

    __audited__ = False


class PasswordToken(Base):
    """A one-time link to set a password, issued by an administrator and shown on screen (no e-mail needed)."""

    __tablename__ = "password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])
