"""Commands on users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.auth import queries
from app.auth.models import ApiToken, PasswordToken, Role, User
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from app.catalog import queries as catalog_queries
from app.catalog.models import Country
from app.db import utcnow
from app.errors import Conflict, FormInvalid, NotFound, ValidationFailed
from app.i18n import LOCALES, _
from app.organisations import queries as organisation_queries
from app.organisations.models import Organisation

TOKEN_PREFIX = "gcm_"  # noqa: S105 - a visible prefix, not a secret
TOKEN_DEFAULT_DAYS = 90  # an API token expires; a new one is issued when needed
TOKEN_MAX_DAYS = 365
TOKEN_NAME_MAX = 100


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    """A password must have at least MIN_PASSWORD_LENGTH characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("The password must have at least %(n)d characters.") % {"n": MIN_PASSWORD_LENGTH}, field="password"
        )


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    country_iso3: str | None = None,
    password: str | None = None,
    organisation: Organisation | None = None,
    language: str | None = None,
) -> User:
    """Create a user; a focal point needs a country, other roles must not have one; a stakeholder needs an
    organisation, other roles must not have one; e-mails are unique. ``language``: one of app.i18n.LOCALES, or None
    for the browser's."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(_("Enter a valid e-mail address."), field="email")
    if not name.strip():
        raise ValidationFailed(_("Enter the person's name."), field="name")
    if queries.get_user_by_email(session, email) is not None:
        raise Conflict(_("A user with the e-mail address %(email)s already exists.") % {"email": email}, field="email")
    country_id = None
    if role is Role.focal_point:
        if not country_iso3:
            raise ValidationFailed(_("A focal point must be bound to a country (ISO3 code)."), field="country")
        country = catalog_queries.get_country(session, country_iso3)
        if country is None:
            raise NotFound(
                _("No member State or associate member has the code %(code)s.") % {"code": country_iso3},
                field="country",
            )
        country_id = country.id
    elif country_iso3:
        raise ValidationFailed(_("Only focal points are bound to a country."), field="country")
    if role is Role.stakeholder and organisation is None:
        raise ValidationFailed(_("A stakeholder belongs to an organisation: give its name."), field="organisation")
    if role is not Role.stakeholder and organisation is not None:
        raise ValidationFailed(_("Only stakeholders belong to an organisation."), field="organisation")
    if language and language not in LOCALES:
        raise ValidationFailed(_("Choose one of the languages listed."), field="language")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        country_id=country_id,
        organisation_id=organisation.id if organisation is not None else None,
        language=language or None,
    )
    if password is not None:
        check_password_strength(password)
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return user


def set_language(session: Session, user: User, language: str | None) -> None:
    """The language a user reads in (None: the browser's); recorded in the audit trail as any change of a user."""
    if language is not None and language not in LOCALES:
        raise ValidationFailed(_("Choose one of the languages listed."), field="language")
    user.language = language
    session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password (strength checked); their API tokens are revoked for good."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    revoke_all_tokens(session, user)
    session.flush()


def digest_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once; only its digest is stored
    record: ApiToken


def create_token(
    session: Session,
    *,
    user: User,
    name: str = "",
    days: int = TOKEN_DEFAULT_DAYS,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue a new API token for an active user, valid for ``days`` (or until ``expires_at``); the plain token is
    returned once and never stored."""
    if not user.is_active:
        raise Conflict(_("This user is deactivated; activate them before issuing a token."))
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationFailed(_("A token is valid for 1 to %(n)s days.") % {"n": TOKEN_MAX_DAYS}, field="days")
    if len(name) > TOKEN_NAME_MAX:
        raise ValidationFailed(_("The name can have at most %(n)s characters.") % {"n": TOKEN_NAME_MAX}, field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest_token(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        expires_at=expires_at or utcnow() + timedelta(days=days),
    )
    session.add(record)
    session.flush()
    return IssuedToken(token=token, record=record)


def issue_token(session: Session, *, user: User, name: str, days: str) -> IssuedToken:
    """The token form: a name (optional) and a number of days, every field checked at once."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if len(name) > TOKEN_NAME_MAX:
        errors["name"] = _("The name can have at most %(n)s characters.") % {"n": TOKEN_NAME_MAX}
    try:
        valid_days = int(days.strip())
    except ValueError:
        valid_days = 0
    if not 1 <= valid_days <= TOKEN_MAX_DAYS:
        errors["days"] = _("Enter a whole number of days from 1 to %(n)s.") % {"n": TOKEN_MAX_DAYS}
    if errors:
        raise FormInvalid(errors)
    return create_token(session, user=user, name=name, days=valid_days)


def token_is_live(record: ApiToken, now: datetime | None = None) -> bool:
    """Neither revoked nor expired (the user's being active is checked separately)."""
    now = now or utcnow()
    return record.revoked_at is None and (record.expires_at is None or record.expires_at > now)


def authenticate_token(session: Session, token: str) -> User | None:
    """The active user a token belongs to, if the token is known, not revoked and not expired."""
    record = authenticate_token_record(session, token)
    return record.user if record is not None else None


def authenticate_token_record(session: Session, token: str) -> ApiToken | None:
    """The token's record (its user loaded), if it is live and its user active."""
    record = queries.get_token_by_digest(session, digest_token(token))
    if record is None or not token_is_live(record) or not record.user.is_active:
        return None
    return record


def revoke_token(session: Session, record: ApiToken) -> bool:
    """Revoke one token for good; False if it was revoked already."""
    if record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    session.flush()
    return True


def revoke_all_tokens(session: Session, user: User) -> int:
    """Revoke every token of a user for good (on a password change, a deactivation, or on request)."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def find_token(session: Session, key: str) -> ApiToken:
    """One token by its id or its prefix (as listed: gcm_ and six characters); refuses an ambiguous prefix."""
    key = key.strip()
    if key.isdigit():
        record = session.get(ApiToken, int(key))
        if record is None:
            raise NotFound(_("No API token has the id %(id)s.") % {"id": key})
        return record
    if len(key) < len(TOKEN_PREFIX) + 4:
        raise ValidationFailed(_("Give a token id or its prefix as listed (like gcm_AbC123)."))
    matches = queries.tokens_by_prefix(session, key, limit=2)
    if not matches:
        raise NotFound(_("No API token has the prefix %(prefix)s.") % {"prefix": key})
    if len(matches) > 1:
        raise Conflict(_("More than one API token has the prefix %(prefix)s: give its id.") % {"prefix": key})
    return matches[0]


# ---- administration of users (app/admin): every field checked at once, the admin's own access protected ----

NAME_MAX = 200


class UserEditConflict(Conflict):
    """Someone saved the user after the form was loaded; ``current`` is the saved user."""

    def __init__(self, current: User) -> None:
        super().__init__(_("Someone else changed this user after you opened the page. Nothing was saved."))
        self.current = current


def _check_email(session: Session, email: str, errors: dict[str, str]) -> str:
    email = normalise_email(email)
    local, _at, domain = email.partition("@")
    if not email:
        errors["email"] = _("Enter the person's e-mail address.")
    elif not local or "." not in domain.strip(".") or " " in email or "@" in domain or len(email) > 254:
        errors["email"] = _("Enter a valid e-mail address, like name@example.org.")
    elif queries.get_user_by_email(session, email) is not None:
        errors["email"] = _("A user with this e-mail address already exists.")
    return email


def _is_id(value: str) -> bool:
    return value.isdigit() and len(value) <= 9  # within 32 bits


def _check_profile(
    session: Session, *, name: str, role: str, country: str, organisation: str, errors: dict[str, str]
) -> tuple[str, Role | None, Country | None, Organisation | None]:
    """Name required; a known role; a focal point needs a country, a stakeholder an organisation (its id), other
    roles neither."""
    name = " ".join(name.split())
    if not name:
        errors["name"] = _("Enter the person's name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("The name can have at most %(n)s characters.") % {"n": NAME_MAX}
    chosen = next((r for r in Role if r.value == role), None)
    if chosen is None:
        errors["role"] = _("Choose a role.")
    found = catalog_queries.get_country(session, country) if country.strip() else None
    if country.strip() and found is None:
        errors["country"] = _("Choose a member State or associate member from the list.")
    elif chosen is Role.focal_point and found is None:
        errors["country"] = _("A focal point reports for one country: choose it.")
    elif chosen is not None and chosen is not Role.focal_point and found is not None:
        errors["country"] = _("Only focal points have a country: choose “None” for this role.")
    member = None
    if organisation.strip():
        member = organisation_queries.get_organisation(session, int(organisation)) if _is_id(organisation) else None
        if member is None:
            errors["organisation"] = _("Choose an organisation from the list.")
    if chosen is Role.stakeholder and member is None and "organisation" not in errors:
        errors["organisation"] = _("A stakeholder belongs to one organisation: choose it.")
    elif chosen is not None and chosen is not Role.stakeholder and member is not None:
        errors["organisation"] = _("Only stakeholders belong to an organisation: choose “None” for this role.")
    return name, chosen, found, member


def _check_language(language: str, errors: dict[str, str]) -> str | None:
    if language and language not in LOCALES:
        errors["language"] = _("Choose one of the languages listed.")
    return language or None


def register_user(
    session: Session, *, email: str, name: str, role: str, country: str, organisation: str = "", language: str = ""
) -> User:
    """Create a user without a password (they set it with a one-time link); rules as in create_user; ``language``
    the one they read in (empty: their browser's)."""
    errors: dict[str, str] = {}
    email = _check_email(session, email, errors)
    name, chosen, found, member = _check_profile(
        session, name=name, role=role, country=country, organisation=organisation, errors=errors
    )
    chosen_language = _check_language(language, errors)
    if errors or chosen is None:
        raise FormInvalid(errors)
    try:
        with session.begin_nested():
            user = create_user(
                session,
                email=email,
                name=name,
                role=chosen,
                country_iso3=found.iso3 if found else None,
                organisation=member,
                language=chosen_language,
            )
    except IntegrityError:  # the same e-mail address saved by someone else a moment ago
        raise FormInvalid({"email": _("A user with this e-mail address already exists.")}) from None
    set_committed_value(user, "country", found)  # loaded already: the caller may show it
    set_committed_value(user, "organisation", member)
    return user


def update_user(
    session: Session,
    *,
    user: User,
    actor: User,
    name: str,
    role: str,
    country: str,
    version: int | None,
    organisation: str = "",
    language: str | None = None,
) -> None:
    """Change a user's name, role, country and language (None: unchanged) if the admin saw the latest version; no
    admin demotes themselves."""
    if version != user.version:
        raise UserEditConflict(user)
    errors: dict[str, str] = {}
    name, chosen, found, member = _check_profile(
        session, name=name, role=role, country=country, organisation=organisation, errors=errors
    )
    chosen_language = _check_language(language, errors) if language is not None else user.language
    if user.id == actor.id and chosen is not None and chosen is not Role.admin:
        errors["role"] = _("You cannot remove your own administrator role. Ask another administrator to do it.")
    if errors or chosen is None:
        raise FormInvalid(errors)
    try:
        with session.begin_nested():
            user.name = name
            user.role = chosen
            user.country_id = found.id if found else None
            user.country = found
            user.organisation_id = member.id if member else None
            user.organisation = member
            user.language = chosen_language
            session.flush()
    except StaleDataError:
        session.refresh(user)
        raise UserEditConflict(user) from None


def deactivate_user(session: Session, *, user: User, actor: User) -> None:
    """Stop a user signing in: their sessions end, unused password links stop working; never oneself."""
    from app.auth.sessions import revoke_all_sessions  # sessions imports this module

    if user.id == actor.id:
        raise Conflict(_("You cannot deactivate your own account. Ask another administrator to do it."))
    if not user.is_active:
        return
    user.is_active = False
    revoke_all_sessions(session, user)
    revoke_all_tokens(session, user)  # for good: reactivation does not revive them
    session.execute(
        update(PasswordToken)
        .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    session.flush()


def reactivate_user(session: Session, *, user: User) -> None:
    """Let a deactivated user sign in again (with their password, or a new link if they have none). Their API
    tokens stay revoked: they need new ones."""
    if user.is_active:
        return
    user.is_active = True
    session.flush()
