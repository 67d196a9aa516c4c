"""Commands on review cycles: create, edit, open, close. At most one cycle is open at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.cycles import queries
from app.cycles.models import CycleStatus, ReviewCycle
from app.cycles.schemas import DESCRIPTION_MAX, NAME_MAX, CycleForm, parse_date
from app.errors import Conflict, FormInvalid
from app.i18n import _
from app.questionnaires import service as questionnaires


class CycleEditConflict(Conflict):
    """Someone saved the cycle after the form was loaded; ``current`` is the saved cycle."""

    def __init__(self, current: ReviewCycle) -> None:
        super().__init__(_("Someone else changed this review cycle after you opened it. Nothing was saved."))
        self.current = current


@dataclass(frozen=True)
class CycleValues:
    name: str
    description: str
    opens_on: date
    deadline: date
    closes_on: date


def _missing_date_messages() -> dict[str, str]:
    return {
        "opens_on": _("Enter the date the cycle opens, as YYYY-MM-DD."),
        "deadline": _("Enter the deadline for submissions, as YYYY-MM-DD."),
        "closes_on": _("Enter the date the cycle closes, as YYYY-MM-DD."),
    }


def _check_dates(form: CycleForm, errors: dict[str, str]) -> dict[str, date]:
    dates: dict[str, date] = {}
    for field, message in _missing_date_messages().items():
        parsed = parse_date(getattr(form, field))
        if parsed is None:
            errors[field] = message
        else:
            dates[field] = parsed
    opens, deadline, closes = dates.get("opens_on"), dates.get("deadline"), dates.get("closes_on")
    if opens and deadline and deadline < opens:
        errors["deadline"] = _("The deadline must be on or after the opening date (%(date)s).") % {"date": opens}
    if deadline and closes and closes < deadline:
        errors["closes_on"] = _("The closing date must be on or after the deadline (%(date)s).") % {"date": deadline}
    elif opens and closes and closes < opens and "closes_on" not in errors:
        errors["closes_on"] = _("The closing date must be on or after the opening date (%(date)s).") % {"date": opens}
    return dates


def _check(session: Session, form: CycleForm, *, cycle: ReviewCycle | None) -> CycleValues:
    """Every field checked at once: a name (unique), a description within limits, opens <= deadline <= closes."""
    errors: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        errors["name"] = _("Enter a name for the review cycle.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("The name can have at most %(n)s characters.") % {"n": NAME_MAX}
    else:
        same = queries.get_cycle_by_name(session, name)
        if same is not None and same is not cycle:
            errors["name"] = _("Another review cycle is already called %(name)s.") % {"name": same.name}
    description = form.description.replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("The description can have at most %(n)s characters.") % {"n": DESCRIPTION_MAX}
    dates = _check_dates(form, errors)
    if errors:
        raise FormInvalid(errors)
    return CycleValues(name, description, dates["opens_on"], dates["deadline"], dates["closes_on"])


def create_cycle(session: Session, *, form: CycleForm) -> ReviewCycle:
    """Plan a new review cycle (status planned); the name is unique and the dates in order."""
    values = _check(session, form, cycle=None)
    cycle = ReviewCycle(
        name=values.name,
        description=values.description,
        opens_on=values.opens_on,
        deadline=values.deadline,
        closes_on=values.closes_on,
    )
    try:
        with session.begin_nested():
            session.add(cycle)
            session.flush()
    except IntegrityError:  # the same name saved by someone else a moment ago
        message = _("Another review cycle is already called %(name)s.") % {"name": values.name}
        raise FormInvalid({"name": message}) from None
    questionnaires.start_for(session, cycle)  # a copy of the previous cycle's questionnaire
    return cycle


@contextmanager
def _guarded(session: Session, cycle: ReviewCycle) -> Iterator[None]:
    """Apply changes in a savepoint; if another save won the race meanwhile, undo ours and report a conflict."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except StaleDataError:
        session.refresh(cycle)
        raise CycleEditConflict(cycle) from None


def update_cycle(session: Session, *, cycle: ReviewCycle, form: CycleForm, version: int | None) -> None:
    """Change a cycle's name, description and dates, only if the administrator saw its latest version."""
    if version != cycle.version:
        raise CycleEditConflict(cycle)
    values = _check(session, form, cycle=cycle)
    with _guarded(session, cycle):
        cycle.name = values.name
        cycle.description = values.description
        cycle.opens_on = values.opens_on
        cycle.deadline = values.deadline
        cycle.closes_on = values.closes_on


def open_cycle(session: Session, *, cycle: ReviewCycle) -> None:
    """Open a cycle for submissions; refused while another cycle is open (only one is open at a time)."""
    queries.lock_cycles(session)  # also refreshes ``cycle``: decide on what is saved now
    if cycle.status is CycleStatus.open:
        return
    others = [c for c in queries.list_open_cycles(session) if c.id != cycle.id]
    if others:
        raise Conflict(
            _("%(other)s is open. Close it before opening %(name)s: only one review cycle can be open at a time.")
            % {"other": others[0].name, "name": cycle.name}
        )
    cycle.status = CycleStatus.open
    session.flush()


def close_cycle(session: Session, *, cycle: ReviewCycle) -> None:
    """Close an open cycle: States can no longer submit in it."""
    queries.lock_cycles(session)
    if cycle.status is CycleStatus.closed:
        return
    if cycle.status is not CycleStatus.open:
        raise Conflict(_("%(name)s has not been opened yet, so it cannot be closed.") % {"name": cycle.name})
    cycle.status = CycleStatus.closed
    session.flush()


def days_to_deadline(cycle: ReviewCycle, today: date) -> int:
    """Days from ``today`` to the deadline (negative once it has passed)."""
    return (cycle.deadline - today).days
