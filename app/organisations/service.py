"""Organisations and requests to take part: check, change, flush, raise. Nothing here is automatic: a request waits
until the secretariat or an administrator accepts it (an organisation and a stakeholder account) or declines it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.auth import queries as auth_queries
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.catalog import queries as catalog_queries
from app.catalog.models import Country
from app.db import utcnow
from app.errors import AppError, Conflict, Forbidden, FormInvalid, NotFound
from app.i18n import _
from app.notifications import mail
from app.organisations import queries
from app.organisations.models import Organisation, OrganisationRequest, OrganisationType, RequestStatus, type_labels

NAME_MAX = 200
WEBSITE_MAX = 300
CONTACT_MAX = 200
EMAIL_MAX = 254
MOTIVATION_MAX = 2000
REASON_MAX = 2000
# Requests to take part from one address: at most REQUESTS_PER_ADDRESS in REQUEST_WINDOW.
REQUESTS_PER_ADDRESS = 3
REQUEST_WINDOW = timedelta(hours=1)
LOCK_REQUESTS = 0x47434D10  # advisory-lock namespace serialising one address's requests (PostgreSQL)


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self) -> None:
        super().__init__(_("Too many requests were sent from your network in the last hour. Please try again later."))


def _tidy(value: str) -> str:
    return " ".join(value.split())


def _check_name(session: Session, name: str, errors: dict[str, str], *, field: str = "name") -> str:
    name = _tidy(name)
    if not name:
        errors[field] = _("Enter the organisation's name.")
    elif len(name) > NAME_MAX:
        errors[field] = _("The name can have at most %(n)s characters.") % {"n": NAME_MAX}
    return name


def _check_type(value: str, errors: dict[str, str], *, field: str = "type") -> OrganisationType | None:
    chosen = next((t for t in OrganisationType if t.value == value.strip()), None)
    if chosen is None:
        errors[field] = _("Choose the type of organisation.")
    return chosen


def _check_country(session: Session, iso3: str, errors: dict[str, str]) -> Country | None:
    if not iso3.strip():
        return None
    found = catalog_queries.get_country(session, iso3)
    if found is None:
        errors["country"] = _("Choose a country from the list, or none.")
    return found


def _check_website(website: str, errors: dict[str, str]) -> str:
    website = website.strip()
    if not website:
        return ""
    if len(website) > WEBSITE_MAX:
        errors["website"] = _("The address can have at most %(n)s characters.") % {"n": WEBSITE_MAX}
    elif not website.startswith(("https://", "http://")) or " " in website or "." not in website.split("//", 1)[1]:
        errors["website"] = _("Enter a web address starting with https://, like https://example.org.")
    return website


def create_organisation(
    session: Session, *, name: str, type: str, country: str = "", website: str = ""
) -> Organisation:
    """A new organisation; every field checked at once. Its name must not be taken (whatever the case)."""
    errors: dict[str, str] = {}
    name = _check_name(session, name, errors)
    chosen = _check_type(type, errors)
    found = _check_country(session, country, errors)
    website = _check_website(website, errors)
    if name and "name" not in errors and queries.organisation_named(session, name) is not None:
        errors["name"] = _("An organisation named %(name)s already exists.") % {"name": name}
    if errors or chosen is None:
        raise FormInvalid(errors, message=" ".join(errors.values()))
    organisation = Organisation(name=name, type=chosen, country_id=found.id if found else None, website=website)
    try:
        with session.begin_nested():
            session.add(organisation)
            session.flush()
    except IntegrityError:  # the same name saved by someone else a moment ago
        raise FormInvalid({"name": _("An organisation named %(name)s already exists.") % {"name": name}}) from None
    set_committed_value(organisation, "country", found)
    return organisation


def update_organisation(
    session: Session,
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    type: str,
    country: str,
    website: str,
    version: int | None,
) -> bool:
    """Change an organisation's name, type, country and website (the secretariat and administrators only), every
    field checked at once as when it was created; the name must stay unique (whatever the case). A stale
    ``version`` is a Conflict and nothing changes. The audit trail records the change (its flush listener).
    Returns whether anything changed."""
    if actor.role not in (Role.secretariat, Role.admin):
        raise Forbidden(_("Only the secretariat and administrators change organisations."))
    errors: dict[str, str] = {}
    name = _check_name(session, name, errors)
    chosen = _check_type(type, errors)
    found = _check_country(session, country, errors)
    website = _check_website(website, errors)
    if name and "name" not in errors:
        same = queries.organisation_named(session, name)
        if same is not None and same.id != organisation.id:
            errors["name"] = _("An organisation named %(name)s already exists.") % {"name": name}
    if errors or chosen is None:
        raise FormInvalid(errors, message=" ".join(errors.values()))
    if version is None or version != organisation.version:
        raise Conflict(_("Someone else changed this organisation after you opened it. Nothing was saved."))
    country_id = found.id if found else None
    if (organisation.name, organisation.type, organisation.country_id, organisation.website) == (
        name,
        chosen,
        country_id,
        website,
    ):
        return False
    organisation.name = name
    organisation.type = chosen
    organisation.country_id = country_id
    organisation.website = website
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed this organisation at the same moment. Nothing was saved.")) from None
    except IntegrityError:  # the same name saved by someone else a moment ago
        raise FormInvalid({"name": _("An organisation named %(name)s already exists.") % {"name": name}}) from None
    set_committed_value(organisation, "country", found)
    return True


def find_organisation(session: Session, name: str) -> Organisation:
    found = queries.organisation_named(session, name)
    if found is None:
        raise NotFound(_("No organisation is named %(name)s.") % {"name": _tidy(name)}, field="organisation")
    return found


# ---- requests to take part (the public form) ----


def _lock_address(session: Session, ip_address: str) -> None:
    """Serialise one address's requests until the transaction ends, so the count and the new row are one step.
    PostgreSQL: a transaction advisory lock; SQLite: the POST's BEGIN IMMEDIATE already serialises writers."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(ip_address.encode()).digest()[:4], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": LOCK_REQUESTS, "key": key})


def request_to_join(
    session: Session,
    *,
    organisation_name: str,
    organisation_type: str,
    country: str,
    website: str,
    contact_name: str,
    email: str,
    motivation: str,
    ip_address: str,
) -> OrganisationRequest:
    """Store a pending request (every field checked at once); refused, with nothing stored, beyond
    REQUESTS_PER_ADDRESS from one address in REQUEST_WINDOW, or when a request from the same e-mail address or for
    the same organisation is pending already."""
    errors: dict[str, str] = {}
    name = _check_name(session, organisation_name, errors, field="organisation_name")
    chosen = _check_type(organisation_type, errors, field="organisation_type")
    found = _check_country(session, country, errors)
    website = _check_website(website, errors)
    contact = _tidy(contact_name)
    if not contact:
        errors["contact_name"] = _("Enter the name of the contact person.")
    elif len(contact) > CONTACT_MAX:
        errors["contact_name"] = _("The name can have at most %(n)s characters.") % {"n": CONTACT_MAX}
    address = auth_service.normalise_email(email)
    local, _at, domain = address.partition("@")
    if not address:
        errors["email"] = _("Enter the contact person's e-mail address.")
    elif not local or "." not in domain.strip(".") or " " in address or "@" in domain or len(address) > EMAIL_MAX:
        errors["email"] = _("Enter a valid e-mail address, like name@example.org.")
    motivation = motivation.strip()
    if not motivation:
        errors["motivation"] = _("Tell us why your organisation would like to take part.")
    elif len(motivation) > MOTIVATION_MAX:
        errors["motivation"] = _("Write at most %(n)s characters (you wrote %(count)s).") % {
            "n": MOTIVATION_MAX,
            "count": len(motivation),
        }
    if errors or chosen is None:
        raise FormInvalid(errors)
    _lock_address(session, ip_address)
    if queries.requests_from_address(session, ip_address, since=utcnow() - REQUEST_WINDOW) >= REQUESTS_PER_ADDRESS:
        raise TooManyRequests()
    duplicate = queries.pending_duplicate(session, email=address, organisation_name=name)
    if duplicate is not None:
        field = "email" if duplicate.email.lower() == address else "organisation_name"
        raise FormInvalid(
            {
                field: _("A request from this e-mail address is already waiting for the secretariat's answer.")
                if field == "email"
                else _("A request for this organisation is already waiting for the secretariat's answer."),
            }
        )
    record = OrganisationRequest(
        organisation_name=name,
        organisation_type=chosen,
        country_id=found.id if found else None,
        website=website,
        contact_name=contact,
        email=address,
        motivation=motivation,
        ip_address=ip_address,
    )
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class Accepted:
    organisation: Organisation
    user: User
    created_organisation: bool


def _ensure_pending(record: OrganisationRequest, version: int | None) -> None:
    if record.status is not RequestStatus.pending:
        raise Conflict(_("This request has been answered already: nothing was changed."))
    if version is not None and version != record.version:
        raise Conflict(_("Someone else changed this request after you opened the page. Nothing was changed."))


def accept_request(
    session: Session, *, record: OrganisationRequest, actor: User, version: int | None = None
) -> Accepted:
    """Create the organisation (or use the existing one of that name) and a stakeholder account for the contact
    person, without a password (the caller issues the one-time link). The decision is kept on the request."""
    _ensure_pending(record, version)
    if auth_queries.get_user_by_email(session, record.email) is not None:
        raise Conflict(
            _("A user with the e-mail address %(email)s already exists: decline this request or change that user.")
            % {"email": record.email}
        )
    organisation = queries.organisation_named(session, record.organisation_name)
    created = organisation is None
    if organisation is None:
        based = session.get(Country, record.country_id) if record.country_id is not None else None
        country = based.iso3 if based is not None else ""
        organisation = create_organisation(
            session,
            name=record.organisation_name,
            type=record.organisation_type.value,
            country=country,
            website=record.website,
        )
    user = auth_service.create_user(
        session,
        email=record.email,
        name=record.contact_name,
        role=Role.stakeholder,
        organisation=organisation,
    )
    record.status = RequestStatus.accepted
    record.decided_at = utcnow()
    record.decided_by_id = actor.id
    record.organisation_id = organisation.id
    record.user_id = user.id
    session.flush()
    mail.queue(
        session,
        mail.Mail(
            to=record.email,
            subject=_("GCM regional review: your request to take part has been accepted"),
            body=_(
                "The request of %(organisation)s to take part in the regional review has been accepted. An account "
                "has been created for you; the secretariat will send you a link to set your password."
            )
            % {"organisation": organisation.name},
        ),
    )
    return Accepted(organisation=organisation, user=user, created_organisation=created)


def decline_request(
    session: Session, *, record: OrganisationRequest, actor: User, reason: str, version: int | None = None
) -> None:
    """Decline a pending request; the reason is required, kept on the request and sent to the requester."""
    reason = reason.strip()
    if not reason:
        raise FormInvalid({"reason": _("Give the reason: the requester will read it.")})
    if len(reason) > REASON_MAX:
        raise FormInvalid({"reason": _("Write at most %(n)s characters.") % {"n": REASON_MAX}})
    _ensure_pending(record, version)
    record.status = RequestStatus.declined
    record.decided_at = utcnow()
    record.decided_by_id = actor.id
    record.decision_reason = reason
    session.flush()
    mail.queue(
        session,
        mail.Mail(
            to=record.email,
            subject=_("GCM regional review: your request to take part"),
            body=_("The request of %(organisation)s to take part in the regional review has been declined.")
            % {"organisation": record.organisation_name}
            + "\n\n"
            + reason,
        ),
    )


def label(value: OrganisationType) -> str:
    return type_labels()[value]
