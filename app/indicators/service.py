"""Recording indicator values: what a value, a period and a breakdown must look like, and saving one row at a time.

Only a focal point writes, and only for their own country. A value left empty is a recorded gap (NULL, never zero)
and needs a note saying why. A row saved by someone else since the user loaded it is a conflict: nothing is
overwritten, and the user's input is shown again beside what is saved now.

A value a focal point adds or changes is "not yet reviewed" (``reviewed_at`` NULL) until the secretariat accepts the
country's values (``accept_values``, from the indicator's country page) or approves the country's review
(``review.service.approve`` calls ``mark_country_reviewed``). Accepting gives no new version (a focal point's open
grid stays current); one audit event records who accepted which values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role, User
from app.db import utcnow
from app.errors import AppError, Forbidden, FormInvalid, NotFound, ValidationFailed
from app.i18n import _, format_number
from app.indicators import queries
from app.indicators.models import TOTAL, Indicator, IndicatorValue, MigratoryStatus, Sex, ValueStatus
from app.indicators.schemas import Disaggregation, ValueForm
from app.visibility import ensure_can_write_country

SOURCE_MAX = 500
NOTE_MAX = 2000
FIRST_YEAR = 1950
LARGEST = 1e15  # beyond this a float no longer holds every whole number exactly


class ValueGone(AppError):
    """The row was removed by someone else after the user loaded it. Nothing was saved."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__(
            _("Someone removed this value after you opened the page. What you typed is kept: save to record it again.")
        )


class ValueConflict(AppError):
    """The row changed since the user loaded it (``current``), or its period is already recorded. Nothing saved."""

    status_code = 409

    def __init__(self, current: IndicatorValue, message: str) -> None:
        super().__init__(message)
        self.current = current


# ---- what a value may be ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRule:
    """The values an indicator takes: bounds, whole numbers only or not, and the sentence that says so."""

    minimum: float | None = 0
    maximum: float | None = None
    whole: bool = False
    message: str = ""

    def check(self, number: float) -> str | None:
        """The message when ``number`` breaks the rule, else None."""
        too_low = self.minimum is not None and number < self.minimum
        too_high = self.maximum is not None and number > self.maximum
        if too_low or too_high or (self.whole and not number.is_integer()):
            return self.message
        return None


_NEGATIVE_WORDS = ("net ", "change", "balance", "growth", "difference")
_PERCENT_WORDS = ("per cent", "percent", "percentage", "%")


def value_rule(code: str, unit: str) -> ValueRule:
    """The range a value must fall in, from the indicator's code where it is known, else the wording of its unit."""
    text = unit.lower()
    if code == "10.7.2":
        return ValueRule(1, 4, whole=True, message=_("Enter the policy category: a whole number from 1 to 4."))
    if code == "8.8.2":
        return ValueRule(0, 10, message=_("Enter a score from 0 to 10."))
    if any(word in text for word in _NEGATIVE_WORDS):
        return ValueRule(None, None)  # a change or a balance may be negative
    if text.startswith("number of"):
        return ValueRule(0, whole=True, message=_("Enter a whole number, 0 or more: this indicator counts."))
    if any(word in text for word in _PERCENT_WORDS) and "number" not in text:
        return ValueRule(0, 100, message=_("Enter a percentage from 0 to 100 (without the percent sign)."))
    return ValueRule(0, message=_("Enter 0 or more: this indicator takes no negative values."))


def rule_hint(rule: ValueRule) -> str:
    """The allowed values in a few words, for the grid's header."""
    if rule.minimum is None and rule.maximum is None:
        return _("any number, negative values included")
    low = f"{rule.minimum:g}" if rule.minimum is not None else ""
    if rule.maximum is not None:
        text = _("from %(low)s to %(high)s") % {"low": low, "high": f"{rule.maximum:g}"}
    else:
        text = _("%(low)s or more") % {"low": low}
    return (_("whole numbers, ") if rule.whole else "") + text


_SPACES = re.compile(r"[\u00a0\u2007\u2009\u202f]")
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?P<sep>[, ])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}(?:[ .]\d{3})*,\d+|[+-]?\d+,\d{1,2}")


def parse_number(text: str) -> float | None:
    """A plain decimal ("1234.5"), optionally with thousands separated by commas or spaces; empty is a gap."""
    cleaned = _SPACES.sub(" ", text).strip()
    if not cleaned:
        return None
    if _PLAIN.fullmatch(cleaned):
        number = float(cleaned)
    elif _GROUPED.fullmatch(cleaned):
        number = float(cleaned.replace(",", "").replace(" ", ""))
    elif "%" in cleaned:
        raise ValidationFailed(_("Enter the number only, without the percent sign."), field="value")
    elif _DECIMAL_COMMA.fullmatch(cleaned) and not _GROUPED.fullmatch(cleaned):
        raise ValidationFailed(_("Use a point for decimals: write 1234.5, not 1234,5."), field="value")
    else:
        raise ValidationFailed(
            _('Enter a number, such as 1234.5 or 1,234.5 (digits, with "." for decimals).'), field="value"
        )
    if abs(number) >= LARGEST:
        raise ValidationFailed(_("This number is too large to be stored exactly."), field="value")
    return number


# ---- periods and breakdowns ------------------------------------------------------------------------------------

_PERIOD = re.compile(r"(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2])|/(?P<end>\d{4}))?", re.ASCII)


def parse_period(text: str) -> str:
    """A year ("2024"), a quarter ("2024-Q1"), a month ("2024-06") or a span of years ("2023/2024")."""
    period = unicodedata.normalize("NFKC", text).strip().upper()  # full-width digits typed with an IME: 2024
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValidationFailed(
            _("Enter the period as a year (2024), a quarter (2024-Q1), a month (2024-06) or a span (2023/2024)."),
            field="period",
        )
    last = utcnow().year + 1
    years = [int(match["year"])] + ([int(match["end"])] if match["end"] else [])
    if any(not FIRST_YEAR <= year <= last for year in years):
        raise ValidationFailed(
            _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": last}, field="period"
        )
    if match["end"] and years[1] <= years[0]:
        raise ValidationFailed(_("A span ends after it starts: write 2023/2024."), field="period")
    return period


_AGE_GROUP = re.compile(r"(?P<low>\d{1,3})(?:-(?P<high>\d{1,3})|\+)", re.ASCII)


def parse_age_group(text: str) -> str:
    """An age group as "15-24" or "65+"; empty or "total" for all ages."""
    group = unicodedata.normalize("NFKC", text).strip().replace("\u2013", "-").replace(" ", "")
    if group.lower() in ("", TOTAL):
        return TOTAL
    match = _AGE_GROUP.fullmatch(group)
    if match is None or (match["high"] is not None and int(match["high"]) <= int(match["low"])):
        raise ValidationFailed(
            _('Enter the age group as a range such as "15-24", or "65+"; leave it empty for all ages.'),
            field="age_group",
        )
    return group


def parse_disaggregation(sex: str, migratory_status: str, age_group: str) -> Disaggregation:
    """The breakdown named by a form or a link; refuses values outside the lists."""
    try:
        chosen_sex = Sex(sex or TOTAL)
    except ValueError:
        raise ValidationFailed(_("Choose all sexes, female or male."), field="sex") from None
    try:
        chosen_status = MigratoryStatus(migratory_status or TOTAL)
    except ValueError:
        raise ValidationFailed(
            _("Choose all migratory statuses, migrants or non-migrants."), field="migratory_status"
        ) from None
    return Disaggregation(chosen_sex, chosen_status, parse_age_group(age_group))


# ---- a row ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanRow:
    period: str
    value: float | None
    status: ValueStatus
    source: str
    note: str


def _checked(errors: dict[str, str], name: str, parse: object, text: str) -> object:
    try:
        return parse(text)  # type: ignore[operator]
    except ValidationFailed as exc:
        errors[name] = exc.message
        return None


def clean_row(indicator: Indicator, form: ValueForm) -> CleanRow:
    """Every rule of a row at once, so that all its wrong cells are marked together."""
    errors: dict[str, str] = {}
    period = _checked(errors, "period", parse_period, form.period)
    number = _checked(errors, "value", parse_number, form.value)
    source, note = form.source.strip(), form.note.replace("\r\n", "\n").strip()
    if isinstance(number, float) and (broken := value_rule(indicator.code, indicator.unit).check(number)):
        errors["value"] = broken
    if number is None and "value" not in errors and not note:
        errors["note"] = _("The value is empty, which records a gap: say why in the note (e.g. “not collected”).")
    if form.status not in {s.value for s in ValueStatus}:
        errors["status"] = _("Choose provisional or final.")
    if not source:
        errors["source"] = _("Enter the source: the survey, register or publication, and who produced it.")
    elif len(source) > SOURCE_MAX:
        errors["source"] = _("Shorten the source to %(max)s characters.") % {"max": SOURCE_MAX}
    if len(note) > NOTE_MAX:
        errors["note"] = _("Shorten the note to %(max)s characters.") % {"max": format_number(NOTE_MAX)}
    if errors:
        raise FormInvalid(errors, _("Some cells need correcting; nothing was saved."))
    return CleanRow(str(period), number, ValueStatus(form.status), source, note)  # type: ignore[arg-type]


def _own_country(user: User) -> int:
    """The country a user writes for: a focal point's own; anyone else is refused (403)."""
    ensure_can_write_country(user, user.country_id or 0)
    assert user.country_id is not None
    return user.country_id


def ensure_own_value(user: User, indicator: Indicator, value: IndicatorValue) -> None:
    """A value of another country, or of another indicator, is "not found" to a focal point (no enumeration)."""
    ensure_can_write_country(user, value.country_id)
    if value.indicator_id != indicator.id:
        raise NotFound(_("The page or record was not found."))


def _conflict_taken(current: IndicatorValue) -> ValueConflict:
    return ValueConflict(
        current,
        _("A value for %(period)s is already recorded. Nothing was saved; what you typed is kept.")
        % {"period": current.period},
    )


def _conflict_changed(current: IndicatorValue) -> ValueConflict:
    return ValueConflict(
        current, _("Someone else saved this row after you opened the page. Nothing was saved; what you typed is kept.")
    )


def add_value(
    session: Session, *, user: User, indicator: Indicator, disaggregation: Disaggregation, form: ValueForm
) -> IndicatorValue:
    """Record a new period of the focal point's own country; a period already recorded is a conflict, not a change."""
    country_id = _own_country(user)
    row = clean_row(indicator, form)
    keys: dict[str, Any] = {"indicator_id": indicator.id, "country_id": country_id, "period": row.period}
    existing = queries.find_value(session, **keys, disaggregation=disaggregation)
    if existing is not None:
        raise _conflict_taken(existing)
    value = IndicatorValue(
        **keys,
        sex=disaggregation.sex,
        migratory_status=disaggregation.migratory_status,
        age_group=disaggregation.age_group,
        value=row.value,
        status=row.status,
        source=row.source,
        note=row.note,
        updated_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(value)
            session.flush()
    except IntegrityError:  # saved by someone else between our check and our insert
        existing = queries.find_value(session, **keys, disaggregation=disaggregation)
        if existing is None:
            raise
        raise _conflict_taken(existing) from None
    return value


def update_value(session: Session, *, user: User, indicator: Indicator, value: IndicatorValue, form: ValueForm) -> bool:
    """Change a recorded period if the user saw its latest version; returns whether anything changed."""
    ensure_own_value(user, indicator, value)
    row = clean_row(indicator, form.model_copy(update={"period": value.period}))
    if form.loaded_version != value.version:
        raise _conflict_changed(value)
    changes = {"value": row.value, "status": row.status, "source": row.source, "note": row.note}
    if all(getattr(value, name) == new for name, new in changes.items()):
        return False
    with _guarded(session, value):
        for name, new in changes.items():
            setattr(value, name, new)
        value.updated_by_id = user.id
        value.reviewed_at, value.reviewed_by_id = None, None  # changed by the State: to be reviewed again
    return True


def remove_value(
    session: Session, *, user: User, indicator: Indicator, value: IndicatorValue, version: int | None
) -> None:
    """Delete a recorded period, only if it is still what the user saw (the audit trail keeps the old row)."""
    ensure_own_value(user, indicator, value)
    if version != value.version:
        raise ValueConflict(
            value, _("Someone else changed this row after you opened the page. Check it, then remove it again.")
        )
    with _guarded(session, value):
        session.delete(value)


@contextmanager
def _guarded(session: Session, value: IndicatorValue) -> Iterator[None]:
    """Apply a change in a savepoint: if another save won the race meanwhile, undo ours and report a conflict."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except StaleDataError:
        try:
            session.refresh(value)
        except InvalidRequestError:  # the row is gone, not changed
            raise ValueGone from None
        raise _conflict_changed(value) from None


# ---- the secretariat's review of values -------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    accepted: int  # values marked reviewed
    changed: int  # values entered or changed since the reviewer's page was shown: left not yet reviewed


def parse_seen(items: list[str]) -> dict[int, int]:
    """The values a reviewer saw, posted as "id:version"; anything else is ignored."""
    seen: dict[int, int] = {}
    for item in items:
        value_id, _sep, version = item.partition(":")
        if value_id.isdecimal() and version.isdecimal() and len(value_id) < 10 and len(version) < 10:
            seen[int(value_id)] = int(version)
    return seen


def accept_values(
    session: Session, *, user: User, country_id: int, indicator: Indicator | None = None, seen: dict[int, int] | None
) -> Accepted:
    """The secretariat accepts a country's values not yet reviewed (of one indicator, or all of them).

    With ``seen`` (id -> version the reviewer saw) only those values are accepted, and only while they are still
    the version seen: a value entered or changed since stays not yet reviewed and is counted in ``changed``."""
    if user.role not in (Role.secretariat, Role.admin):
        raise Forbidden(_("Only the secretariat reviews indicator values."))
    pending = queries.unreviewed_values(
        session, country_id=country_id, indicator_id=indicator.id if indicator is not None else None
    )
    if seen is None:
        chosen = [value_id for value_id, _version in pending]
    else:
        chosen = [value_id for value_id, version in pending if seen.get(value_id) == version]
    changed = len(pending) - len(chosen)
    now = utcnow()
    accepted = queries.mark_reviewed(session, chosen, user_id=user.id, at=now) if chosen else 0
    if accepted:
        session.add(
            AuditEvent(
                user_id=user.id,
                action=AuditAction.update,
                entity_type="indicator_value:review",
                entity_id=str(country_id),
                before=None,
                after={
                    "country_id": country_id,
                    "indicator": indicator.code if indicator is not None else None,
                    "accepted": accepted,
                    "value_ids": chosen[:1000],
                },
            )
        )
        session.flush()
    return Accepted(accepted, changed)


def mark_country_reviewed(session: Session, *, user: User, country_id: int) -> int:
    """The country's review was approved: every value of the country not yet reviewed counts as reviewed now."""
    return accept_values(session, user=user, country_id=country_id, seen=None).accepted
