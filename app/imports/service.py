"""Bulk imports of indicators and indicator values from CSV or XLSX files.

A file is parsed and validated whole before anything is written: any error (each with its line number) refuses the
file. Existing rows are loaded in one query into a dict keyed by the natural key; rows are checked with the same
rules as the indicator grid (``app.indicators.service.clean_row``); the writes are executemany inserts and updates
in the caller's transaction, with the per-row audit switched off and one summary ``AuditEvent`` instead.
Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role, User
from app.catalog.models import Country, Objective
from app.db import utcnow
from app.errors import FormInvalid, ValidationFailed
from app.i18n import _
from app.indicators import service as indicator_service
from app.indicators.models import Aggregation, Indicator, IndicatorKind, IndicatorObjective, IndicatorValue
from app.indicators.schemas import ValueForm

XLSX_MAGIC = b"PK\x03\x04"
VALUE_COLUMNS = ("indicator", "country", "period", "value")
VALUE_OPTIONAL = ("sex", "age_group", "migratory_status", "source", "note", "status")
INDICATOR_COLUMNS = ("code", "name", "unit", "aggregation")
INDICATOR_OPTIONAL = ("objectives", "sdg_code", "description", "source")


class ImportRefused(ValidationFailed):
    """The file cannot be imported; ``errors`` lists (line, message). Nothing was written."""

    status_code = 422

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(_("The file has %(n)s error(s); nothing was imported.") % {"n": len(errors)})
        self.errors = errors


@dataclass
class Plan:
    """What an import would do: rows to insert and update, counts, and the errors that refuse it."""

    kind: str
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)  # objective links (indicators)

    def summary(self) -> str:
        return f"{len(self.new)} new, {len(self.changed)} changed, {self.unchanged} unchanged"


# ---- reading a file ---------------------------------------------------------------------------------------------


def read_rows(data: bytes, filename: str = "") -> list[tuple[int, dict[str, str]]]:
    """(line number, row by lower-case header) of a CSV (UTF-8, BOM or not) or XLSX file, told apart by content."""
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([(0, _("The file is neither UTF-8 CSV nor XLSX."))]) from None
    if "\x00" in text[:4096]:
        raise ImportRefused([(0, _("The file is neither UTF-8 CSV nor XLSX."))])
    reader = csv.reader(io.StringIO(text, newline=""))
    return _rows(enumerate(reader, start=1))


def _read_xlsx(data: bytes) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportRefused([(0, _("The XLSX file cannot be read."))]) from None
    try:
        sheet = workbook.worksheets[0]
        lines = (
            (n, ["" if cell is None else _cell_text(cell) for cell in row])
            for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _rows(lines)
    finally:
        workbook.close()


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    return str(cell)


def _rows(lines: Any) -> list[tuple[int, dict[str, str]]]:
    header: list[str] | None = None
    out: list[tuple[int, dict[str, str]]] = []
    for number, cells in lines:
        if header is None:
            header = [c.strip().lower() for c in cells]
            continue
        if not any(c.strip() for c in cells):
            continue
        out.append((number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}))
    if header is None:
        raise ImportRefused([(1, _("The file is empty: the first line must name the columns."))])
    out.insert(0, (1, {"__header__": ",".join(header)}))
    return out


def _check_header(rows: list[tuple[int, dict[str, str]]], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    header = rows[0][1]["__header__"].split(",")
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c and c not in required + optional]
    problems = []
    if missing:
        problems.append((1, _("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)}))
    if unknown:
        problems.append((1, _("Unknown column(s): %(cols)s.") % {"cols": ", ".join(unknown)}))
    if problems:
        raise ImportRefused(problems)


def _getter(raw: dict[str, str]) -> Callable[[str], str]:
    return lambda name: (raw.get(name) or "").strip()


# ---- indicator values -------------------------------------------------------------------------------------------


def plan_values(session: Session, data: bytes, *, user: User | None = None, filename: str = "") -> Plan:
    """Validate a values file against the database: what would be new, changed, unchanged, and every error."""
    rows = read_rows(data, filename)
    _check_header(rows, VALUE_COLUMNS, VALUE_OPTIONAL)
    plan = Plan("values")
    indicators = {i.code: i for i in session.scalars(select(Indicator))}
    countries = {r[0]: r[1] for r in session.execute(select(Country.iso3, Country.id))}
    t = IndicatorValue.__table__
    existing: dict[tuple, Any] = {
        (r.indicator_id, r.country_id, r.period, r.sex, r.age_group, r.migratory_status): r
        for r in session.execute(
            select(t.c.id, t.c.indicator_id, t.c.country_id, t.c.period, t.c.sex, t.c.age_group,
                   t.c.migratory_status, t.c.value, t.c.status, t.c.source, t.c.note, t.c.version)
        )
    }  # fmt: skip
    seen: dict[tuple, int] = {}
    own_country = user.country_id if user is not None and user.role is Role.focal_point else None
    for line, raw in rows[1:]:
        get = _getter(raw)
        indicator = indicators.get(get("indicator"))
        country_id = countries.get(get("country").upper())
        problems: list[str] = []
        if indicator is None:
            problems.append(_("Unknown indicator %(code)r.") % {"code": get("indicator")})
        if country_id is None:
            problems.append(_("Unknown country %(iso3)r (use the ISO3 code).") % {"iso3": get("country")})
        elif own_country is not None and country_id != own_country:
            problems.append(_("You may import values of your own country only."))
        try:
            breakdown = indicator_service.parse_disaggregation(get("sex"), get("migratory_status"), get("age_group"))
        except ValidationFailed as exc:
            problems.append(exc.message)
            breakdown = None
        clean = None
        if indicator is not None:
            form = ValueForm(period=get("period"), value=get("value"), status=get("status") or "final",
                             source=get("source"), note=raw.get("note") or "")  # fmt: skip
            try:
                clean = indicator_service.clean_row(indicator, form)
            except FormInvalid as exc:
                problems.extend(f"{name}: {message}" for name, message in exc.errors.items())
        if problems or indicator is None or country_id is None or breakdown is None or clean is None:
            plan.errors.extend((line, p) for p in problems)
            continue
        key = (indicator.id, country_id, clean.period, breakdown.sex.value, breakdown.age_group,
               breakdown.migratory_status.value)  # fmt: skip
        if key in seen:
            plan.errors.append((line, _("Same row as line %(line)s.") % {"line": seen[key]}))
            continue
        seen[key] = line
        values = {"value": clean.value, "status": clean.status.value, "source": clean.source, "note": clean.note}
        current = existing.get(key)
        if current is None:
            plan.new.append(dict(zip(("indicator_id", "country_id", "period", "sex", "age_group",
                                      "migratory_status"), key, strict=True)) | values)  # fmt: skip
        elif all(getattr(current, k) == v for k, v in values.items()):
            plan.unchanged += 1
        else:
            plan.changed.append({"b_id": current.id, "b_version": current.version} | values)
    return plan


def apply_values(
    session: Session, plan: Plan, *, user_id: int | None, on_write: Callable[[], None] | None = None
) -> None:
    """Write a valid plan with executemany statements in the caller's transaction, and one summary audit event."""
    if plan.errors:
        raise ImportRefused(plan.errors)
    t = IndicatorValue.__table__
    now = utcnow()
    previous = session.info.get("audit_disabled")
    session.info["audit_disabled"] = True
    try:
        if on_write is not None:
            on_write()
        if plan.new:
            rows = [
                r | {"created_at": now, "updated_at": now, "version": 1, "updated_by_id": user_id} for r in plan.new
            ]
            session.execute(insert(t), rows)
        if plan.changed:
            statement = (
                update(t)
                .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
                .values(value=bindparam("value"), status=bindparam("status"), source=bindparam("source"),
                        note=bindparam("note"), version=t.c.version + 1, updated_at=now, updated_by_id=user_id)
            )  # fmt: skip
            session.connection().execute(statement, plan.changed)
        _summary_event(session, plan, user_id, "indicator_value")
        session.flush()
    finally:
        session.info["audit_disabled"] = previous


def _summary_event(session: Session, plan: Plan, user_id: int | None, entity: str) -> None:
    session.add(
        AuditEvent(
            user_id=user_id,
            action=AuditAction.create,
            entity_type=f"import:{entity}",
            entity_id=utcnow().strftime("%Y%m%dT%H%M%S"),
            before=None,
            after={"new": len(plan.new), "changed": len(plan.changed), "unchanged": plan.unchanged},
        )
    )


# ---- indicators -------------------------------------------------------------------------------------------------

_AGGREGATIONS = {a.value for a in Aggregation}


def plan_indicators(session: Session, data: bytes, *, filename: str = "") -> Plan:
    rows = read_rows(data, filename)
    _check_header(rows, INDICATOR_COLUMNS, INDICATOR_OPTIONAL)
    plan = Plan("indicators")
    existing = {i.code: i for i in session.scalars(select(Indicator))}
    objectives = {r[0]: r[1] for r in session.execute(select(Objective.number, Objective.id))}
    links = {
        (row.indicator_id, row.objective_id)
        for row in session.execute(select(IndicatorObjective.indicator_id, IndicatorObjective.objective_id))
    }
    seen: dict[str, int] = {}
    for line, raw in rows[1:]:
        get = _getter(raw)
        code, problems = get("code"), []
        if not code or len(code) > 40:
            problems.append(_("Enter a code of 1 to 40 characters."))
        if not get("name"):
            problems.append(_("Enter the name."))
        if not get("unit"):
            problems.append(_("Enter the unit."))
        if get("aggregation") not in _AGGREGATIONS:
            problems.append(_("Aggregation must be one of: %(v)s.") % {"v": ", ".join(sorted(_AGGREGATIONS))})
        if len(get("sdg_code")) > 20:
            problems.append(_("Shorten the SDG code to 20 characters."))
        numbers: list[int] = []
        for part in filter(None, (p.strip() for p in get("objectives").split(";"))):
            if not part.isdecimal() or int(part) not in objectives:
                problems.append(_("Unknown objective %(n)r (numbers 1 to 23, separated by ;).") % {"n": part})
            else:
                numbers.append(int(part))
        if code in seen:
            problems.append(_("Same code as line %(line)s.") % {"line": seen[code]})
        if problems:
            plan.errors.extend((line, p) for p in problems)
            continue
        seen[code] = line
        values = {name: get(name) for name in ("name", "unit", "aggregation", "description", "source")}
        values["sdg_code"] = get("sdg_code") or None
        current = existing.get(code)
        wanted = [objectives[n] for n in numbers]
        if current is None:
            plan.new.append({"code": code} | values | {"_objectives": wanted})
        else:
            missing_links = [o for o in wanted if (current.id, o) not in links]
            same = all(getattr(current, k) == v for k, v in values.items())
            if same and not missing_links:
                plan.unchanged += 1
            else:
                plan.changed.append({"b_id": current.id, "b_version": current.version} | values)
                plan.extra.extend({"indicator_id": current.id, "objective_id": o} for o in missing_links)
    return plan


def apply_indicators(session: Session, plan: Plan, *, user_id: int | None) -> None:
    if plan.errors:
        raise ImportRefused(plan.errors)
    previous = session.info.get("audit_disabled")
    session.info["audit_disabled"] = True
    try:
        for row in plan.new:
            indicator = Indicator(kind=IndicatorKind.sdg, **{k: v for k, v in row.items() if k != "_objectives"})
            session.add(indicator)
            session.flush()
            plan.extra.extend({"indicator_id": indicator.id, "objective_id": o} for o in row["_objectives"])
        t = Indicator.__table__
        if plan.changed:
            statement = (
                update(t)
                .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
                .values(name=bindparam("name"), unit=bindparam("unit"), aggregation=bindparam("aggregation"),
                        sdg_code=bindparam("sdg_code"), description=bindparam("description"),
                        source=bindparam("source"), version=t.c.version + 1, updated_at=utcnow())
            )  # fmt: skip
            session.connection().execute(statement, plan.changed)
        if plan.extra:
            session.execute(
                insert(IndicatorObjective.__table__),
                [r | {"relation": "primary", "is_official": False} for r in plan.extra],
            )
        _summary_event(session, plan, user_id, "indicator")
        session.flush()
    finally:
        session.info["audit_disabled"] = previous
