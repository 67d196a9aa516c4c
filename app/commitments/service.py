"""Commands on pledges: record one (with its reference), edit it without overwriting unseen work, report progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import Role, User
from app.catalog import queries as catalog_queries
from app.catalog.models import Country, Objective, Principle
from app.commitments import queries
from app.commitments.models import Commitment, CommitmentForm, CommitmentStatus, CommitmentUpdate, PledgeType
from app.commitments.schemas import CommitmentInput, ProgressInput
from app.db import utcnow
from app.errors import AppError, Conflict, FormInvalid, NotFound
from app.i18n import _
from app.visibility import can_read_country, ensure_can_write_country

# The UN Network on Migration's pledge form: a description of 300 to 3,000 characters.
ANSWERS_INVALID = _("Some answers need correcting; nothing was saved.")
DESCRIPTION_MIN = 300
DESCRIPTION_MAX = 3_000
TITLE_MAX = 300
PARTNERS_MAX = 2_000
SCOPE_MAX = 1_000
PROGRESS_MAX = 5_000
EARLIEST = date(2000, 1, 1)  # dates outside these years are typing slips (0202, 20255)
LATEST = date(2100, 12, 31)
NEEDS_PARTNERS = (PledgeType.common, PledgeType.partnership)
REFERENCE_ATTEMPTS = 5
# The fields in the order of the form, so the error summary reads top to bottom.
FORM_ORDER = (
    "title", "description", "form", "pledge_type", "partners", "matched_reference",
    "objectives", "principles", "scope", "timeframe_start", "timeframe_end", "status",
)  # fmt: skip

E = TypeVar("E", CommitmentForm, PledgeType, CommitmentStatus)


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
    form: CommitmentForm
    pledge_type: PledgeType
    partners: str
    matched: Commitment | None
    objectives: list[Objective]
    principles: list[Principle]
    scope: str
    timeframe_start: date
    timeframe_end: date
    status: CommitmentStatus

    def columns(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "form": self.form,
            "pledge_type": self.pledge_type,
            "partners": self.partners,
            "matched_commitment_id": self.matched.id if self.matched else None,
            "scope": self.scope,
            "timeframe_start": self.timeframe_start,
            "timeframe_end": self.timeframe_end,
            "status": self.status,
        }


# ---- reading ---------------------------------------------------------------------------------------------------


def get_readable(session: Session, *, user: User, commitment_id: int) -> Commitment:
    """A pledge the user may read; any other (another country's, a draft for preparers) is simply not found."""
    commitment = queries.get_commitment(session, commitment_id)
    if commitment is None or not can_read_country(session, user, commitment.country_id):
        raise NotFound(_("The page or record was not found."))
    return commitment


def can_write(user: User, commitment: Commitment) -> bool:
    """Whether the user may change the pledge (a focal point of its country): decides which forms a page offers."""
    return user.role is Role.focal_point and user.country_id == commitment.country_id


# ---- checks ----------------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _too_long(limit: int) -> str:
    return _("Shorten this to %(max)s characters.") % {"max": f"{limit:,}"}


def _check_texts(data: CommitmentInput, errors: dict[str, str]) -> None:
    if not data.title:
        errors["title"] = _("Enter a title for the pledge.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _too_long(TITLE_MAX)
    size = len(data.description)
    if not (DESCRIPTION_MIN <= size <= DESCRIPTION_MAX):
        errors["description"] = _(
            "The description must be between %(min)s and %(max)s characters long; it has %(n)s."
        ) % {"min": DESCRIPTION_MIN, "max": f"{DESCRIPTION_MAX:,}", "n": f"{size:,}"}
    for name, limit in (("partners", PARTNERS_MAX), ("scope", SCOPE_MAX)):
        if len(getattr(data, name)) > limit:
            errors[name] = _too_long(limit)


def _choice(kind: type[E], value: str, field: str, message: str, errors: dict[str, str]) -> E | None:
    try:
        return kind(value)
    except ValueError:
        errors[field] = message
        return None


def _check_partners(pledge_type: PledgeType | None, partners: str, errors: dict[str, str]) -> None:
    if pledge_type in NEEDS_PARTNERS and not partners and "partners" not in errors:
        errors["partners"] = _("Name the partners: a common pledge or a pledge in partnership has them.")


def _check_matched(
    session: Session,
    pledge_type: PledgeType | None,
    reference: str,
    own: Commitment | None,
    errors: dict[str, str],
    user: User | None,
) -> Commitment | None:
    """A matching pledge cites another, existing pledge by its reference; other types cite none."""
    if pledge_type is not PledgeType.matching:
        if reference and pledge_type is not None:
            errors["matched_reference"] = _(
                "Only a matching pledge cites another pledge: choose “Matching pledge” or clear the reference."
            )
        return None
    if not reference:
        errors["matched_reference"] = _("Enter the reference of the pledge this one matches (e.g. PHL-2022-003).")
        return None
    matched = queries.get_by_reference(session, reference.upper())
    if matched is not None and not can_read_country(session, user, matched.country_id):
        matched = None  # another State's pledge the user may not read: as if it did not exist
    if matched is None:
        errors["matched_reference"] = _("No pledge has the reference %(ref)s. Check it, e.g. PHL-2022-003.") % {
            "ref": reference
        }
    elif own is not None and matched.id == own.id:
        errors["matched_reference"] = _("A pledge cannot match itself: enter the reference of another pledge.")
        return None
    return matched


def _check_objectives(session: Session, numbers: list[str], errors: dict[str, str]) -> list[Objective]:
    wanted = {int(n) for n in numbers if n.strip().isdecimal()}
    found = catalog_queries.objectives_by_numbers(session, wanted)
    if not numbers:
        errors["objectives"] = _("Choose at least one objective that the pledge advances.")
    elif len(found) != len(set(numbers)):
        errors["objectives"] = _("Choose objectives from the list.")
    return found


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
    session: Session, data: CommitmentInput, *, user: User | None, own: Commitment | None = None
) -> CommitmentValues:
    """Every rule of the pledge form at once; raises FormInvalid with a message per field."""
    data = cleaned(data)
    errors: dict[str, str] = {}
    _check_texts(data, errors)
    form = _choice(CommitmentForm, data.form, "form", _("Choose the form of the pledge."), errors)
    pledge_type = _choice(PledgeType, data.pledge_type, "pledge_type", _("Choose the type of pledge."), errors)
    status = _choice(CommitmentStatus, data.status, "status", _("Choose a status from the list."), errors)
    _check_partners(pledge_type, data.partners, errors)
    matched = _check_matched(session, pledge_type, data.matched_reference, own, errors, user)
    objectives = _check_objectives(session, data.objectives, errors)
    principles = _check_principles(session, data.principles, errors)
    start, end = _check_timeframe(data, errors)
    if errors:
        raise FormInvalid(
            {name: errors[name] for name in FORM_ORDER if name in errors},
            ANSWERS_INVALID,
        )
    assert form and pledge_type and status and start and end
    return CommitmentValues(
        data.title, data.description, form, pledge_type, data.partners, matched,
        objectives, principles, data.scope, start, end, status,
    )  # fmt: skip


# ---- commands --------------------------------------------------------------------------------------------------


def _own_country(session: Session, user: User) -> Country:
    """Only a focal point records pledges, and only for their own country (never a country from the form)."""
    ensure_can_write_country(user, user.country_id or 0)
    country = session.get(Country, user.country_id)
    assert country is not None
    return country


def next_reference(session: Session, *, iso3: str, year: int) -> str:
    """The next free reference of the country and year: "<ISO3>-<year>-<nnn>"."""
    prefix = f"{iso3}-{year}-"
    numbers = [int(r[len(prefix) :]) for r in queries.list_references(session, prefix) if r[len(prefix) :].isdecimal()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def create_commitment(session: Session, *, user: User, data: CommitmentInput) -> Commitment:
    """A focal point records a pledge of their country; it gets the next reference of the country and year."""
    country = _own_country(session, user)
    values = validate(session, data, user=user)
    for _attempt in range(REFERENCE_ATTEMPTS):
        reference = next_reference(session, iso3=country.iso3, year=utcnow().year)
        commitment = Commitment(reference=reference, country_id=country.id, **values.columns())
        commitment.objectives = values.objectives
        commitment.principles = values.principles
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
        and [o.id for o in commitment.objectives] == [o.id for o in values.objectives]
        and [p.id for p in commitment.principles] == [p.id for p in values.principles]
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
    """Save the focal point's edit if they saw the latest version; returns whether anything changed."""
    ensure_can_write_country(user, commitment.country_id)
    values = validate(session, data, user=user, own=commitment)
    if version is None or version != commitment.version:
        raise EditConflict(commitment)
    if _unchanged(commitment, values):
        return False
    with _guarded(session, commitment):
        for key, value in values.columns().items():
            setattr(commitment, key, value)
        commitment.objectives = values.objectives
        commitment.principles = values.principles
        commitment.updated_at = utcnow()  # bumps the version even when only objectives or principles changed
    return True


def add_progress_update(
    session: Session, *, user: User, commitment: Commitment, data: ProgressInput
) -> CommitmentUpdate:
    """A focal point of the country reports dated progress; the latest update's status becomes the pledge's."""
    ensure_can_write_country(user, commitment.country_id)
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
