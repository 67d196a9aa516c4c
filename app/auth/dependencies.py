"""Who is asking, and may they? Every route declares an access rule through one of these dependencies.

A rule is attached to its dependency function as ``__access__``, so a test can walk every registered route and fail
on one that declares none (tests/test_access.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import Role, User, UserSession
from app.auth.sessions import load_session, touch_due, touch_statement, write_aside
from app.catalog.texts import label
from app.db import SAFE_METHODS, SessionDep, utcnow
from app.errors import Forbidden
from app.errors import SignInRequired as SignInRequired  # in the core (app.web handles it); named here too
from app.i18n import _
from app.web.security import SESSION_COOKIE as SESSION_COOKIE  # in the core (app.web.csrf binds to it)


@dataclass(frozen=True)
class Access:
    """An access rule: public, any signed-in user, or some roles."""

    name: str
    roles: frozenset[Role] | None = None  # None with signed_in: any role
    signed_in: bool = True

    def allows(self, user: User | None) -> bool:
        if not self.signed_in:
            return True
        if user is None:
            return False
        return self.roles is None or user.role in self.roles


PUBLIC = Access("public", signed_in=False)
SIGNED_IN = Access("signed in")
API_TOKEN = Access("API token")  # the API router's bearer dependency (app/api/dependencies.py)


def roles(*allowed: Role) -> Access:
    return Access(" or ".join(r.value for r in allowed), roles=frozenset(allowed))


@dataclass(frozen=True, slots=True)
class CountryView:
    id: int
    iso3: str
    name: str


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """The signed-in user's display fields as plain values, read when the session cookie is checked. Pages show
    these (``current_user`` in templates), so an error page rendered after the request's transaction was rolled
    back and its session closed (the ORM user expired and detached) still shows who is signed in."""

    id: int
    name: str
    email: str
    role: Role
    country_id: int | None
    country: CountryView | None
    organisation_id: int | None = None  # a stakeholder's organisation

    @classmethod
    def of(cls, user: User) -> SignedInUser:
        country = user.country
        # The country's name in the request's language (app.catalog.texts; CLDR has every member's name).
        view = CountryView(country.id, country.iso3, label(country)[0]) if country is not None else None
        return cls(user.id, user.name, user.email, user.role, user.country_id, view, user.organisation_id)


def session_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user, from the session cookie (None when signed out)."""
    if hasattr(request.state, "user_session"):
        record: UserSession | None = request.state.user_session
        return record.user if record else None
    token = request.cookies.get(SESSION_COOKIE)
    record = load_session(session, token) if token else None
    request.state.user_session = record
    request.state.signed_in = SignedInUser.of(record.user) if record is not None else None
    if record is not None:
        session.info["user_id"] = record.user_id
        now = utcnow()
        if touch_due(record, now):
            touch_session(request, session, record, now)
        chosen = getattr(request.state, "locale_chosen", None)  # ?lang= (app.web.locale.LocaleMiddleware)
        if chosen is not None and record.user.language != chosen:
            remember_language(request, session, record.user, chosen)
    return record.user if record else None


def remember_language(request: Request, session: SessionDep, user: User, language: str) -> None:
    """A language chosen while signed in becomes the user's preference: on a page view in its own short
    transaction (best effort, as the session's last visit), on a form post in the post's own."""
    if request.method in SAFE_METHODS:
        if write_aside(request.app.state.engine, update(User).where(User.id == user.id).values(language=language)):
            set_committed_value(user, "language", language)
    else:
        user.language = language


def touch_session(request: Request, session: SessionDep, record: UserSession, now: datetime) -> None:
    """Refresh the session's last visit (at most every TOUCH_EVERY). A page view only reads: the refresh goes in
    its own short transaction, best effort, so no GET ever fails on it ("database is locked" on SQLite when another
    write commits during the view). A form post writes anyway: the refresh joins its transaction."""
    if request.method in SAFE_METHODS:
        write_aside(request.app.state.engine, touch_statement(record, now))
        set_committed_value(record, "last_seen_at", now)  # tried: not again for this loaded record, nor flushed
    else:
        record.last_seen_at = now


def _next_url(request: Request) -> str:
    if request.headers.get("HX-Request") == "true":
        return request.headers.get("HX-Current-URL", "/").removeprefix(str(request.base_url).rstrip("/")) or "/"
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def guard(access: Access) -> Callable[..., Any]:
    """A dependency enforcing ``access``; it returns the user (None only for public routes)."""

    def dependency(request: Request, user: Annotated[User | None, Depends(session_user)]) -> User | None:
        if access.allows(user):
            return user
        if user is None:
            raise SignInRequired(_next_url(request))
        raise Forbidden(_("Your role does not give access to this page."))

    dependency.__access__ = access  # type: ignore[attr-defined]
    dependency.__name__ = f"guard_{access.name.replace(' ', '_')}"
    return dependency


def access_of(call: Callable[..., Any]) -> Access | None:
    return getattr(call, "__access__", None)


_public = guard(PUBLIC)
_signed_in = guard(SIGNED_IN)
_admin = guard(roles(Role.admin))
_focal_point = guard(roles(Role.focal_point))
_secretariat = guard(roles(Role.secretariat, Role.admin))
_stakeholder = guard(roles(Role.stakeholder))

MaybeUser = Annotated[User | None, Depends(_public)]
CurrentUser = Annotated[User, Depends(_signed_in)]
AdminUser = Annotated[User, Depends(_admin)]
FocalPointUser = Annotated[User, Depends(_focal_point)]
SecretariatUser = Annotated[User, Depends(_secretariat)]
StakeholderUser = Annotated[User, Depends(_stakeholder)]
