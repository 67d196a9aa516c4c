"""Shapes of the indicator pages: a row form as typed, the disaggregation a grid shows, and a grid row as displayed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from app.i18n import LazyLabels, _, format_number, lazy_gettext
from app.indicators.models import TOTAL, IndicatorValue, MigratoryStatus, Sex, ValueStatus

NEW_ROW_ID = "value-new"
CELLS = ("period", "value", "status", "source", "note")  # in the order of the grid's columns


Cell = Annotated[str, Field(max_length=5000)]
Key = Annotated[str, Field(max_length=40)]


class ValueForm(BaseModel):
    """One row of the grid exactly as typed (strings), so that it can be shown again unchanged."""

    period: Cell = ""
    value: Cell = ""
    status: Key = ValueStatus.final.value
    source: Cell = ""
    note: Cell = ""
    version: Key = ""  # the version the user loaded; none for a new period
    # The breakdown the grid shows, for a new period (a stored row keeps its own).
    sex: Key = ""
    migratory_status: Key = ""
    age_group: Key = ""

    @property
    def loaded_version(self) -> int | None:
        """The version of the row when the user loaded the page (None: a new row, or a tampered field)."""
        return int(self.version) if self.version.strip().isdecimal() else None

    def typed(self) -> dict[str, str]:
        return {"period": self.period, "value": self.value, "status": self.status, "source": self.source,
                "note": self.note}  # fmt: skip


@dataclass(frozen=True)
class Disaggregation:
    """Which breakdown a grid shows: one value of sex, migratory status and age group ("total" for all)."""

    sex: Sex = Sex.total
    migratory_status: MigratoryStatus = MigratoryStatus.total
    age_group: str = TOTAL

    @property
    def is_total(self) -> bool:
        return self == Disaggregation()

    @property
    def query_string(self) -> str:
        """The grid's query string for this breakdown (empty for the totals)."""
        params = {"sex": self.sex.value, "migratory_status": self.migratory_status.value, "age_group": self.age_group}
        return urlencode({k: v for k, v in params.items() if v != TOTAL})

    @property
    def label(self) -> str:
        parts = [
            SEX_LABELS[self.sex] if self.sex != Sex.total else "",
            STATUS_GROUP_LABELS[self.migratory_status] if self.migratory_status != MigratoryStatus.total else "",
            _("aged %(group)s") % {"group": self.age_group} if self.age_group != TOTAL else "",
        ]
        shown = [p for p in parts if p]
        return ", ".join(shown) if shown else _("Total (all sexes, migratory statuses and ages)")

    @classmethod
    def of(cls, value: IndicatorValue) -> Disaggregation:
        return cls(Sex(value.sex), MigratoryStatus(value.migratory_status), value.age_group)


SEX_LABELS = LazyLabels(
    {Sex.total: lazy_gettext("All sexes"), Sex.female: lazy_gettext("Female"), Sex.male: lazy_gettext("Male")}
)
STATUS_GROUP_LABELS = LazyLabels(
    {
        MigratoryStatus.total: lazy_gettext("All migratory statuses"),
        MigratoryStatus.migrant: lazy_gettext("Migrants"),
        MigratoryStatus.non_migrant: lazy_gettext("Non-migrants"),
    }
)
VALUE_STATUS_LABELS = LazyLabels(
    {ValueStatus.final: lazy_gettext("Final"), ValueStatus.provisional: lazy_gettext("Provisional")}
)


def number_for_input(number: float | None) -> str:
    """A stored value as the user would type it: no thousands separators, no exponent, no trailing ".0"."""
    if number is None:
        return ""
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def number_for_display(number: float | None) -> str:
    """A stored value for reading, every digit kept, as the reader's language writes numbers ("1,234,567.5" in
    English, "1 234 567,5" in French); "" for a recorded gap."""
    text = number_for_input(number)
    if not text:
        return ""
    _whole, _dot, fraction = text.partition(".")
    return format_number(Decimal(text), digits=len(fraction))


@dataclass
class Row:
    """A row of the grid: the period, what its inputs hold, and what happened when it was last sent."""

    dom_id: str
    value_id: int | None  # None: a period not recorded yet (the "add a period" row, or one removed meanwhile)
    period: str
    fields: dict[str, str]  # value, status, source, note as shown in the inputs (typed or stored)
    version: int | None
    display_value: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    theirs: dict[str, str] | None = None  # a conflict: what is saved now, shown beside what the user typed
    conflict_by: str | None = None
    conflict_at: datetime | None = None
    saved_at: datetime | None = None
    removed: bool = False
    message: str = ""
    focus: str = ""  # the cell to focus when the row is swapped in (htmx honours autofocus in new content)
    reviewed: bool = True  # False: entered or changed by the focal point, not yet accepted by the secretariat

    @property
    def is_new(self) -> bool:
        return self.value_id is None

    @property
    def is_gap(self) -> bool:
        return not self.is_new and not self.fields["value"]

    @classmethod
    def of(cls, value: IndicatorValue) -> Row:
        return cls(
            dom_id=f"value-{value.id}",
            value_id=value.id,
            period=value.period,
            fields=stored_fields(value),
            version=value.version,
            display_value=number_for_display(value.value),
            reviewed=value.reviewed_at is not None,
        )

    @classmethod
    def new(cls, typed: dict[str, str] | None = None, *, focus: str = "") -> Row:
        fields = {"period": "", "value": "", "status": ValueStatus.final.value, "source": "", "note": ""}
        fields |= typed or {}
        return cls(dom_id=NEW_ROW_ID, value_id=None, period=fields["period"], fields=fields, version=None, focus=focus)


def stored_fields(value: IndicatorValue) -> dict[str, str]:
    return {
        "period": value.period,
        "value": number_for_input(value.value),
        "status": ValueStatus(value.status).value,
        "source": value.source,
        "note": value.note,
    }
