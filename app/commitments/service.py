"""Commands on pledges: record one (with its reference), edit it without overwriting unseen work, report progress."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import files
from app.auth.models import Role, User
from app.catalog import queries as catalog_queries
from app.catalog.models import Country, Objective, Principle
from app.commitments import queries
from app.commitments.models import (
    Commitment,
    CommitmentAttachment,
    CommitmentForm,
    CommitmentFormRow,
    CommitmentStatus,
    CommitmentUpdate,
    PledgeScope,
    PledgeType,
)
from app.commitments.schemas import CommitmentInput, ProgressInput
from app.db import utcnow
from app.errors import AppError, Conflict, FormInvalid, NotFound, ValidationFailed
from app.i18n import _, format_number, lazy_gettext
from app.organisations.models import Organisation
from app.visibility import can_read_pledge, ensure_can_write_pledge, is_pledging_entity

# The UN Network on Migration's pledge form: a description of 300 to 3,000 characters.
ANSWERS_INVALID = lazy_gettext("Some answers need correcting; nothing was saved.")
DESCRIPTION_MIN = 300
DESCRIPTION_MAX = 3_000
TITLE_MAX = 300
PARTNERS_MAX = 2_000
SCOPE_MAX = 1_000
PROGRESS_MAX = 5_000
CONTACT_MAX = 200
MAIN_OBJECTIVES_MAX = 3
ATTACHMENT_MAX = 25 * 1024 * 1024
# An IMRF pledge ID as the IMRF's pledging platform shows it: letters, digits and - _ . / (e.g. "IMRF-2022-0153").
EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,39}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EARLIEST = date(2000, 1, 1)  # dates outside these years are typing slips (0202, 20255)
LATEST = date(2100, 12, 31)
NEEDS_PARTNERS = (PledgeType.common, PledgeType.partnership)
REFERENCE_ATTEMPTS = 5
# The fields in the order of the form, so the error summary reads top to bottom.
FORM_ORDER = (
    "title", "description", "forms", "pledge_type", "partners", "partner_countries", "partner_organisations",
    "matched_reference", "external_pledge_id", "main_objectives", "objectives", "principles", "scope_level",
    "implementation_countries", "scope", "champion", "timeframe_start", "timeframe_end", "status",
    "contact_name", "contact_position", "contact_email",
)  # fmt: skip

E = TypeVar("E", CommitmentForm, PledgeType, CommitmentStatus, PledgeScope)


class EditConflict(AppError):
    """Someone saved the pledge after the user opened it: nothing is saved; both versions are shown."""

    status_code = 409

    def __init__(self, current: Commitment) -> None:
        super().__init__(_("Someone else saved this pledge after you opened it. Compare and merge before saving."))
        self.current = current


@dataclass
class CommitmentValues:
    """A pledge form that passed every check, as the values to store."""

    title: str
    description: str
    forms: list[CommitmentForm]
    pledge_type: PledgeType
    partners: str
    partner_countries: list[Country]
    partner_organisations: list[Organisation]
    matched: Commitment | None
    external_pledge_id: str | None
    main_objectives: list[Objective]
    objectives: list[Objective]  # every objective addressed, the main ones included
    principles: list[Principle]
    scope_level: PledgeScope
    implementation_countries: list[Country]
    scope: str
    champion: bool
    timeframe_start: date
    timeframe_end: date
    status: CommitmentStatus
    contact_name: str
    contact_position: str
    contact_email: str

    def columns(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "pledge_type": self.pledge_type,
            "partners": self.partners,
            "matched_commitment_id": self.matched.id if self.matched else None,
            "external_pledge_id": self.external_pledge_id,
            "scope_level": self.scope_level,
            "scope": self.scope,
            "champion": self.champion,
            "timeframe_start": self.timeframe_start,
            "timeframe_end": self.timeframe_end,
            "status": self.status,
            "contact_name": self.contact_name,
            "contact_position": self.contact_position,
            "contact_email": self.contact_email,
        }

    def collections(self) -> dict[str, list[Any]]:
        return {
            "objectives": self.objectives,
            "main_objectives": self.main_objectives,
            "principles": self.principles,
            "implementation_countries": self.implementation_countries,
            "partner_countries": self.partner_countries,
            "partner_organisations": self.partner_organisations,
        }

    def apply(self, commitment: Commitment) -> None:
        for key, value in self.columns().items():
            setattr(commitment, key, value)
        for key, items in self.collections().items():
            setattr(commitment, key, items)
        if commitment.forms != self.forms:
            commitment.form_rows = [CommitmentFormRow(form=form) for form in self.forms]


# ---- reading ---------------------------------------------------------------------------------------------------


def get_readable(session: Session, *, user: User | None, commitment_id: int) -> Commitment:
    """A pledge the user may read; any other (another country's, a draft for preparers) is simply not found."""
    commitment = queries.get_commitment(session, commitment_id)
    if commitment is None or not can_read_pledge(session, user, commitment.country_id, commitment.organisation_id):
        raise NotFound(_("The page or record was not found."))
    return commitment


def can_write(user: User | None, commitment: Commitment) -> bool:
    """Whether the user may change the pledge (the pledging entity): decides which forms a page offers."""
    return is_pledging_entity(user, commitment.country_id, commitment.organisation_id)


def can_pledge(user: User | None) -> bool:
    """Whether the user records pledges (a State's focal point, an organisation's stakeholder)."""
    return user is not None and (
        (user.role is Role.focal_point and user.country_id is not None)
        or (user.role is Role.stakeholder and user.organisation_id is not None)
    )


# ---- checks ----------------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _too_long(limit: int) -> str:
    return _("Shorten this to %(max)s characters.") % {"max": format_number(limit)}


def _check_texts(data: CommitmentInput, errors: dict[str, str]) -> None:
    if not data.title:
        errors["title"] = _("Enter a title for the pledge.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _too_long(TITLE_MAX)
    size = len(data.description)
    if not (DESCRIPTION_MIN <= size <= DESCRIPTION_MAX):
        errors["description"] = _(
            "The description must be between %(min)s and %(max)s characters long; it has %(n)s."
        ) % {"min": DESCRIPTION_MIN, "max": format_number(DESCRIPTION_MAX), "n": format_number(size)}
    for name, limit in (
        ("partners", PARTNERS_MAX), ("scope", SCOPE_MAX), ("contact_name", CONTACT_MAX),
        ("contact_position", CONTACT_MAX),
    ):  # fmt: skip
        if len(getattr(data, name)) > limit:
            errors[name] = _too_long(limit)
    if data.contact_email and (len(data.contact_email) > 254 or not EMAIL.fullmatch(data.contact_email)):
        errors["contact_email"] = _("Enter an e-mail address like name@example.org.")


def _choice(kind: type[E], value: str, field: str, message: str, errors: dict[str, str]) -> E | None:
    try:
        return kind(value)
    except ValueError:
        errors[field] = message
        return None


def _check_partners(
    session: Session, pledge_type: PledgeType | None, data: CommitmentInput, errors: dict[str, str]
) -> tuple[list[Country], list[Organisation]]:
    countries = _check_countries(session, data.partner_countries, "partner_countries", errors)
    wanted = {n.strip() for n in data.partner_organisations if n.strip()}
    organisations = queries.organisations_by_names(session, wanted)
    if len(organisations) != len(wanted):
        errors["partner_organisations"] = _("Choose partner organisations from the list.")
    named = data.partners or countries or organisations
    if pledge_type in NEEDS_PARTNERS and not named and "partners" not in errors:
        errors["partners"] = _("Name the partners: a common pledge or a pledge in partnership has them.")
    return countries, organisations


def _check_countries(session: Session, codes: list[str], field: str, errors: dict[str, str]) -> list[Country]:
    wanted = {c.strip().upper() for c in codes if c.strip()}
    found = queries.countries_by_iso3(session, wanted)
    if len(found) != len(wanted):
        errors[field] = _("Choose countries from the list (ISO3 codes, e.g. PHL).")
    return found


def _check_matched(
    session: Session,
    pledge_type: PledgeType | None,
    data: CommitmentInput,
    own: Commitment | None,
    errors: dict[str, str],
    user: User | None,
) -> tuple[Commitment | None, str | None]:
    """A matching pledge cites another pledge: in the product by its reference, or an IMRF pledge by its ID (one
    of the two); other types cite none."""
    reference, external = data.matched_reference, data.external_pledge_id
    if pledge_type is not PledgeType.matching:
        if (reference or external) and pledge_type is not None:
            field = "matched_reference" if reference else "external_pledge_id"
            errors[field] = _(
                "Only a matching pledge cites another pledge: choose “Matching pledge” or clear the reference."
            )
        return None, None
    if reference and external:
        errors["external_pledge_id"] = _(
            "Cite the matched pledge once: by its reference here or by its IMRF pledge ID, not both."
        )
        return None, None
    if external:
        if not EXTERNAL_ID.fullmatch(external):
            errors["external_pledge_id"] = _(
                "Enter the IMRF pledge ID as the IMRF shows it: up to 40 letters, digits, - _ . or /."
            )
            return None, None
        return None, external
    if not reference:
        errors["matched_reference"] = _(
            "Enter the reference of the pledge this one matches (e.g. PHL-2022-003), or its IMRF pledge ID."
        )
        return None, None
    matched = queries.get_by_reference(session, reference.upper())
    if matched is not None and not can_read_pledge(session, user, matched.country_id, matched.organisation_id):
        matched = None  # another State's pledge the user may not read: as if it did not exist
    if matched is None:
        errors["matched_reference"] = _("No pledge has the reference %(ref)s. Check it, e.g. PHL-2022-003.") % {
            "ref": reference
        }
    elif own is not None and matched.id == own.id:
        errors["matched_reference"] = _("A pledge cannot match itself: enter the reference of another pledge.")
        return None, None
    return matched, None


def _objectives(session: Session, numbers: list[str], field: str, errors: dict[str, str]) -> list[Objective]:
    wanted = {int(n) for n in numbers if n.strip().isdecimal()}
    found = catalog_queries.objectives_by_numbers(session, wanted)
    if len(found) != len(set(numbers)):
        errors[field] = _("Choose objectives from the list.")
    return found


def _check_objectives(
    session: Session, data: CommitmentInput, errors: dict[str, str]
) -> tuple[list[Objective], list[Objective]]:
    """Up to three main objectives and any others: the main ones and every objective addressed (main included)."""
    main = _objectives(session, data.main_objectives, "main_objectives", errors)
    others = _objectives(session, data.objectives, "objectives", errors)
    if len(set(data.main_objectives)) > MAIN_OBJECTIVES_MAX:
        errors["main_objectives"] = _("Choose at most three main objectives; list the others below.")
    if not data.main_objectives and not data.objectives:
        errors["main_objectives"] = _("Choose at least one objective that the pledge advances.")
    every = {o.id: o for o in [*main, *others]}
    return main, sorted(every.values(), key=lambda o: o.number)


def _check_forms(values: list[str], errors: dict[str, str]) -> list[CommitmentForm]:
    forms: list[CommitmentForm] = []
    for value in dict.fromkeys(values):
        try:
            forms.append(CommitmentForm(value))
        except ValueError:
            errors["forms"] = _("Choose forms from the list.")
    if not values:
        errors["forms"] = _(
            "Choose the form of the pledge: one or more of financial, human resources, process, policy."
        )
    order = list(CommitmentForm)
    return sorted(forms, key=order.index)


def _check_scope(
    session: Session, data: CommitmentInput, errors: dict[str, str]
) -> tuple[PledgeScope | None, list[Country]]:
    level = _choice(
        PledgeScope, data.scope_level, "scope_level", _("Choose the scope: national, regional or global."), errors
    )
    countries = _check_countries(session, data.implementation_countries, "implementation_countries", errors)
    if level is PledgeScope.national and not data.implementation_countries and "scope_level" not in errors:
        errors["implementation_countries"] = _("Name the countries of implementation of a national pledge.")
    return level, countries


def _check_principles(session: Session, codes: list[str], errors: dict[str, str]) -> list[Principle]:
    wanted = set(codes)
    found = catalog_queries.principles_by_codes(session, wanted)
    if len(found) != len(wanted):
        errors["principles"] = _("Choose guiding principles from the list.")
    return found


def parse_date(value: str, field: str, errors: dict[str, str], *, required_message: str) -> date | None:
    if not value:
        errors[field] = required_message
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Enter a date as year-month-day, for example 2025-06-30.")
        return None
    if not (EARLIEST <= parsed <= LATEST):
        errors[field] = _("Enter a date between %(first)s and %(last)s.") % {
            "first": EARLIEST.year,
            "last": LATEST.year,
        }
        return None
    return parsed


def _check_timeframe(data: CommitmentInput, errors: dict[str, str]) -> tuple[date | None, date | None]:
    start = parse_date(
        data.timeframe_start, "timeframe_start", errors, required_message=_("Enter when the pledge starts.")
    )
    end = parse_date(
        data.timeframe_end, "timeframe_end", errors, required_message=_("Enter when the pledge should be achieved.")
    )
    if start and end and end < start:
        errors["timeframe_end"] = _("The end of the timeframe cannot be before its start.")
    return start, end


def cleaned(data: CommitmentInput) -> CommitmentInput:
    """The form with line endings normalised and surrounding spaces removed (what is checked and stored)."""
    texts = {k: clean(v) for k, v in data.model_dump().items() if isinstance(v, str)}
    return data.model_copy(update=texts)


def validate(
    session: Session, data: CommitmentInput, *, user: User | None, state: bool = True, own: Commitment | None = None
) -> CommitmentValues:
    """Every rule of the pledge form at once; raises FormInvalid with a message per field. ``state``: whether the
    pledging entity is a State (only a State is a GCM Champion country)."""
    data = cleaned(data)
    errors: dict[str, str] = {}
    _check_texts(data, errors)
    forms = _check_forms(data.forms, errors)
    pledge_type = _choice(PledgeType, data.pledge_type, "pledge_type", _("Choose the type of pledge."), errors)
    status = _choice(CommitmentStatus, data.status, "status", _("Choose a status from the list."), errors)
    partner_countries, partner_organisations = _check_partners(session, pledge_type, data, errors)
    matched, external = _check_matched(session, pledge_type, data, own, errors, user)
    main, objectives = _check_objectives(session, data, errors)
    principles = _check_principles(session, data.principles, errors)
    level, countries = _check_scope(session, data, errors)
    champion = data.champion.lower() in ("on", "true", "1", "yes")
    if champion and not state:
        errors["champion"] = _("Only a State is a GCM Champion country: clear this for an organisation's pledge.")
    start, end = _check_timeframe(data, errors)
    if errors:
        raise FormInvalid(
            {name: errors[name] for name in FORM_ORDER if name in errors},
            ANSWERS_INVALID,
        )
    assert pledge_type and status and start and end and level
    return CommitmentValues(
        data.title, data.description, forms, pledge_type, data.partners, partner_countries, partner_organisations,
        matched, external, main, objectives, principles, level, countries, data.scope, champion, start, end, status,
        data.contact_name, data.contact_position, data.contact_email,
    )  # fmt: skip


# ---- commands --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """Who pledges: the user's own State or organisation (never one from the form)."""

    country: Country | None
    organisation: Organisation | None

    @property
    def prefix(self) -> str:
        """The first part of the entity's references: the ISO3 code, or "ORG<id>" for an organisation."""
        if self.country is not None:
            return self.country.iso3
        assert self.organisation is not None
        return f"ORG{self.organisation.id}"


def _own_entity(session: Session, user: User) -> Entity:
    """A focal point pledges for their country, a stakeholder for their organisation; anyone else is refused."""
    if user.role is Role.focal_point and user.country_id is not None:
        country = session.get(Country, user.country_id)
        assert country is not None
        return Entity(country, None)
    if user.role is Role.stakeholder and user.organisation_id is not None:
        organisation = session.get(Organisation, user.organisation_id)
        assert organisation is not None
        return Entity(None, organisation)
    ensure_can_write_pledge(user, None, None)
    raise AssertionError  # pragma: no cover - ensure_can_write_pledge refused


def next_reference(session: Session, *, iso3: str, year: int) -> str:
    """The next free reference of the country and year: "<ISO3>-<year>-<nnn>"."""
    prefix = f"{iso3}-{year}-"
    numbers = [int(r[len(prefix) :]) for r in queries.list_references(session, prefix) if r[len(prefix) :].isdecimal()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def create_commitment(session: Session, *, user: User, data: CommitmentInput) -> Commitment:
    """A focal point records a pledge of their country, a stakeholder one of their organisation; it gets the next
    reference of the entity and year."""
    entity = _own_entity(session, user)
    values = validate(session, data, user=user, state=entity.country is not None)
    for _attempt in range(REFERENCE_ATTEMPTS):
        reference = next_reference(session, iso3=entity.prefix, year=utcnow().year)
        commitment = Commitment(
            reference=reference,
            country_id=entity.country.id if entity.country else None,
            organisation_id=entity.organisation.id if entity.organisation else None,
            form_rows=[],
            attachment=None,
            **values.columns(),
        )
        values.apply(commitment)
        try:
            with session.begin_nested():
                session.add(commitment)
                session.flush()
        except IntegrityError:
            if queries.get_by_reference(session, reference) is None:
                raise  # not the reference race: a real error
            continue  # another focal point took this reference a moment ago: take the next one
        return commitment
    raise Conflict(_("Many pledges are being recorded at this moment. Please save again."))


def _unchanged(commitment: Commitment, values: CommitmentValues) -> bool:
    return (
        all(getattr(commitment, k) == v for k, v in values.columns().items())
        and all(
            sorted(x.id for x in getattr(commitment, k)) == sorted(x.id for x in items)
            for k, items in values.collections().items()
        )
        and commitment.forms == values.forms
    )


@contextmanager
def _guarded(session: Session, commitment: Commitment) -> Iterator[None]:
    """Apply changes in a savepoint: if another save won the race meanwhile, undo ours and report a conflict."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except StaleDataError:
        session.refresh(commitment)
        raise EditConflict(commitment) from None


def update_commitment(
    session: Session, *, user: User, commitment: Commitment, data: CommitmentInput, version: int | None
) -> bool:
    """Save the pledging entity's edit if they saw the latest version; returns whether anything changed."""
    ensure_can_write_pledge(user, commitment.country_id, commitment.organisation_id)
    values = validate(session, data, user=user, state=commitment.country_id is not None, own=commitment)
    if version is None or version != commitment.version:
        raise EditConflict(commitment)
    if _unchanged(commitment, values):
        return False
    with _guarded(session, commitment):
        values.apply(commitment)
        commitment.updated_at = utcnow()  # bumps the version even when only objectives or principles changed
    return True


def add_progress_update(
    session: Session, *, user: User, commitment: Commitment, data: ProgressInput
) -> CommitmentUpdate:
    """The pledging entity reports dated progress; the latest update's status becomes the pledge's."""
    ensure_can_write_pledge(user, commitment.country_id, commitment.organisation_id)
    errors: dict[str, str] = {}
    progress = clean(data.progress)
    reported_on = parse_date(
        clean(data.reported_on), "reported_on", errors, required_message=_("Enter the date of this update.")
    )
    if reported_on and reported_on > utcnow().date():
        errors["reported_on"] = _("The date of an update cannot be in the future.")
    status = _choice(CommitmentStatus, data.status, "status", _("Choose a status from the list."), errors)
    if not progress:
        errors["progress"] = _("Describe the progress made.")
    elif len(progress) > PROGRESS_MAX:
        errors["progress"] = _too_long(PROGRESS_MAX)
    if errors:
        raise FormInvalid(errors, ANSWERS_INVALID)
    assert reported_on and status
    update = CommitmentUpdate(reported_on=reported_on, status=status, progress=progress, author_id=user.id)
    latest = max((u.reported_on for u in commitment.updates), default=None)
    commitment.updates.append(update)
    if latest is None or reported_on >= latest:
        commitment.status = status
    session.flush()
    return update


# ---- the attachment --------------------------------------------------------------------------------------------


def attach(session: Session, *, user: User, commitment: Commitment, name: str, data: bytes) -> CommitmentAttachment:
    """Attach the pledge's one document (replacing the one before): PDF, DOCX or XLSX up to 25 MB, its content
    matching its extension. ValidationFailed says what is wrong; nothing is stored then."""
    ensure_can_write_pledge(user, commitment.country_id, commitment.organisation_id)
    name = files.clean_name(name)
    try:
        media_type = files.check_document(name, data, limit=ATTACHMENT_MAX)
    except files.FileRefused as exc:
        raise ValidationFailed(str(exc)) from None
    old = queries.get_attachment(session, commitment.id)
    if old is not None:
        session.delete(old)
        session.flush()
    stored = CommitmentAttachment(
        commitment_id=commitment.id, name=name, media_type=media_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), content=data, uploaded_by_id=user.id,
    )  # fmt: skip
    session.add(stored)
    session.flush()
    return stored


def detach(session: Session, *, user: User, commitment: Commitment) -> None:
    ensure_can_write_pledge(user, commitment.country_id, commitment.organisation_id)
    old = queries.get_attachment(session, commitment.id)
    if old is not None:
        session.delete(old)
        session.flush()


def readable_attachment(session: Session, *, user: User | None, commitment_id: int) -> CommitmentAttachment:
    """The document of a pledge the user may read; otherwise not found."""
    get_readable(session, user=user, commitment_id=commitment_id)
    stored = queries.get_attachment(session, commitment_id)
    if stored is None:
        raise NotFound(_("The page or record was not found."))
    return stored
