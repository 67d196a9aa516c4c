"""Bulk imports of indicators and indicator values from CSV or XLSX files.

``read_table`` reads a file within ``Limits`` (rows, columns, cell length, and for XLSX the unpacked size and
compression ratio its zip entries declare, checked before parsing), touching no database: a file beyond a limit is
refused as soon as that is known, a line with a bad cell (too long, NUL) is an error with its number. ``plan_*``
then validates the rows against the database (only reads): existing rows are loaded in one query into a dict keyed
by the natural key; rows are checked with the same rules as the indicator grid (``app.indicators.service.clean_row``);
any error refuses the whole file. ``apply_*`` writes with executemany inserts and updates in a savepoint of the
caller's transaction, with the per-row audit switched off and one summary ``AuditEvent`` instead; an update whose
row no longer has the planned version is an ``ImportConflict`` and nothing is written. Importing the same file twice
changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import CursorResult, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role, User
from app.catalog.models import Country, Objective
from app.config import Settings
from app.db import utcnow
from app.errors import FormInvalid, ValidationFailed
from app.i18n import _, format_number, lazy_gettext, ngettext
from app.imports.models import PendingImport
from app.indicators import service as indicator_service
from app.indicators.models import Aggregation, Indicator, IndicatorKind, IndicatorObjective, IndicatorValue
from app.indicators.schemas import ValueForm

XLSX_MAGIC = b"PK\x03\x04"
VALUE_COLUMNS = ("indicator", "country", "period", "value")
VALUE_OPTIONAL = ("sex", "age_group", "migratory_status", "source", "note", "status")
INDICATOR_COLUMNS = ("code", "name", "unit", "aggregation")
INDICATOR_OPTIONAL = ("objectives", "sdg_code", "description", "source")


class ImportRefused(ValidationFailed):
    """The file cannot be imported; ``errors`` lists (line, message); line 0: the whole file. Nothing was written."""

    status_code = 422

    def __init__(self, errors: list[tuple[int, str]], message: str | None = None) -> None:
        super().__init__(
            message
            or ngettext(
                "The file has %(n)d error; nothing was imported.",
                "The file has %(n)d errors; nothing was imported.",
                len(errors),
            )
            % {"n": len(errors)}
        )
        self.errors = [(line, str(text)) for line, text in errors]  # str: a lazy message read in the reader's language


class ImportConflict(ImportRefused):
    """Rows changed by someone else between the plan and the write; nothing was written."""

    status_code = 409

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(errors, _("Someone else changed these rows meanwhile; nothing was imported."))


@dataclass
class Plan:
    """What an import would do: rows to insert and update, counts, and the errors that refuse it."""

    kind: str
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)  # objective links (indicators)
    lines: dict[int, int] = field(default_factory=dict)  # id of a changed row -> its line in the file
    seen: dict[int, tuple[int, int]] = field(default_factory=dict)  # id of every existing row -> (version, line)
    new_lines: list[int] = field(default_factory=list)  # the line of each new row

    def summary(self) -> str:
        return f"{len(self.new)} new, {len(self.changed)} changed, {self.unchanged} unchanged"


# ---- reading a file ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How much of a file an import reads at most (``GCM_IMPORT_*`` settings); checked while reading."""

    rows: int = 200_000  # data rows (blank rows count: they cost as much to read)
    columns: int = 30
    cell_chars: int = 5_000
    unpacked_bytes: int = 100 * 1024 * 1024  # XLSX: what its zip entries unpack to, in all
    zip_ratio: int = 200  # XLSX: the largest unpacked/packed ratio of an entry over ZIP_RATIO_FROM bytes

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(rows=settings.import_max_rows, columns=settings.import_max_columns,
                   cell_chars=settings.import_max_cell_chars, unpacked_bytes=settings.import_max_unpacked_bytes,
                   zip_ratio=settings.import_max_zip_ratio)  # fmt: skip


ZIP_RATIO_FROM = 1024 * 1024  # small entries (styles, the workbook) compress well and cost nothing
ZIP_MAX_ENTRIES = 1000
MAX_ERRORS = 1000  # errors listed; more are counted in one last line


@dataclass
class Table:
    """A file as read: the lower-case header, the data rows (line, cells) and the lines refused while reading."""

    header: list[str]
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        names = list(enumerate(self.header))
        for line, cells in self.rows:
            yield line, {name: (cells[i] if i < len(cells) else "") for i, name in names if name}


def read_table(data: bytes, limits: Limits | None = None) -> Table:
    """Read a CSV (UTF-8, BOM or not) or XLSX file, told apart by content, within ``limits``.

    A file beyond a limit, or that cannot be read, raises ``ImportRefused`` as soon as that is known (an XLSX whose
    zip entries would unpack to too much is refused before it is parsed); a line with a cell too long, a NUL or too
    many columns is listed in ``Table.errors`` with its number. Nothing here touches the database.
    """
    limits = limits or Limits()
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([(0, _("The file is neither UTF-8 CSV nor XLSX."))]) from None
    if "\x00" in text[:4096]:
        raise ImportRefused([(0, _("The file is neither UTF-8 CSV nor XLSX."))])
    nul = "\x00" in text
    if text.count("\n") > limits.rows + 1:  # perhaps too many rows
        if '"' not in text:  # no quoted cell: every line is a row
            raise ImportRefused([(limits.rows + 2, _too_many_rows(limits))])
        # Quoted cells may hold line breaks: check the limits keeping nothing first, so a refused file never fills
        # the memory.
        _scan(_csv_lines(text, limits), limits, None, nul=nul)
    table = Table(header=[])
    table.errors = _scan(_csv_lines(text, limits), limits, table, nul=nul)
    return table


def _csv_lines(text: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The csv module refuses a field over 128 KiB (its field_size_limit), far beyond any cell we accept.
            if "field larger than field limit" in str(exc):
                raise ImportRefused([(line, _cell_too_long(limits))]) from None
            raise ImportRefused([(line, _("This line cannot be read as CSV (%(why)s).") % {"why": exc})]) from None
        yield line, cells
        line = reader.line_num + 1


def _cell_too_long(limits: Limits) -> str:
    return _("A cell is longer than %(max)s characters.") % {"max": format_number(limits.cell_chars)}


def _scan(
    lines: Iterable[tuple[int, Sequence[str]]], limits: Limits, table: Table | None, *, nul: bool = True
) -> list[tuple[int, str]]:
    """Check every line against ``limits``; keep the rows in ``table`` (None: check only). Returns the errors.
    ``nul``: whether a cell may hold NUL (False when the whole text was searched for one already)."""
    errors: list[tuple[int, str]] = []
    count = 0
    header_seen = False
    for line, cells in lines:
        count += 1
        if count > limits.rows + 1:
            raise ImportRefused([(line, _too_many_rows(limits))])
        width = len(cells)
        while width and not cells[width - 1]:
            width -= 1
        problems: list[str] = []
        if (
            width > limits.columns
            or (width and max(map(len, cells)) > limits.cell_chars)
            or (nul and any("\x00" in c for c in cells))
        ):
            problems = _problems(cells, width, limits)
        if not header_seen:
            if problems:
                raise ImportRefused([(line, p) for p in problems])
            header_seen = True
            if table is not None:
                table.header = [c.strip().lower() for c in cells[:width]]
            continue
        if problems:
            errors.extend((line, p) for p in problems)
            continue
        if table is not None and "".join(cells[:width]).strip():
            table.rows.append((line, tuple(cells[:width])))
    if not header_seen:
        raise ImportRefused([(1, _("The file is empty: the first line must name the columns."))])
    return errors


def _problems(cells: Sequence[str], width: int, limits: Limits) -> list[str]:
    problems = []
    if width > limits.columns:
        problems.append(_("The line has more than %(max)s columns.") % {"max": limits.columns})
    for index, cell in enumerate(cells[: limits.columns]):
        if len(cell) > limits.cell_chars:
            problems.append(_("Column %(n)s: ") % {"n": index + 1} + _cell_too_long(limits))
        if "\x00" in cell:
            problems.append(
                _("Column %(n)s holds a NUL character, which cannot be stored: remove it.") % {"n": index + 1}
            )
    return problems


def _too_many_rows(limits: Limits) -> str:
    return _("The file has more than %(max)s rows (blank rows count): split it into smaller files.") % {
        "max": format_number(limits.rows)
    }


def _megabytes(n: int) -> str:
    return _("%(size)s MB") % {"size": format_number(n / (1024 * 1024), digits=1)}


def _check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Refuse an XLSX whose zip entries declare too much, before anything is unpacked. ``zipfile`` stops reading
    an entry at its declared size (and then fails its CRC check), so a lying entry cannot unpack to more."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused([(0, _("The XLSX file cannot be read."))]) from None
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ImportRefused([(0, _("The XLSX file cannot be read."))])
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.unpacked_bytes:
        raise ImportRefused([(0, _("The XLSX file unpacks to %(size)s, more than the %(max)s allowed.")
                              % {"size": _megabytes(unpacked), "max": _megabytes(limits.unpacked_bytes)})])  # fmt: skip
    for entry in entries:
        if entry.file_size > ZIP_RATIO_FROM and entry.file_size > limits.zip_ratio * max(entry.compress_size, 1):
            raise ImportRefused([(0, _("The XLSX file is compressed %(ratio)s times, more than any real spreadsheet "
                                       "(at most %(max)s): it is refused.")
                                  % {"ratio": format_number(entry.file_size // max(entry.compress_size, 1)),
                                     "max": limits.zip_ratio})])  # fmt: skip
    return archive


def _read_xlsx(data: bytes, limits: Limits) -> Table:
    from openpyxl import load_workbook

    archive = _check_zip(data, limits)
    # Opening a workbook parses every sheet whose size is not declared, so rows are counted first: their tags in
    # the unpacked XML, which is much faster than parsing them (openpyxl reads some 30,000 rows a second).
    for entry in archive.infolist():
        if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
            try:
                counted = _count_rows(archive, entry, limits.rows + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
                raise ImportRefused([(0, _("The XLSX file cannot be read."))]) from None
            if counted > limits.rows + 1:
                raise ImportRefused([(0, _too_many_rows(limits))])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportRefused([(0, _("The XLSX file cannot be read."))]) from None
    try:
        if not workbook.worksheets:
            raise ImportRefused([(0, _("The XLSX file has no sheet."))])
        sheet = workbook.worksheets[0]
        declared = getattr(sheet, "max_row", None)  # the sheet's own dimension, read without parsing its rows
        if isinstance(declared, int) and declared > limits.rows + 1:
            raise ImportRefused([(0, _too_many_rows(limits))])
        cells = sheet.iter_rows(min_row=1, max_row=limits.rows + 2, max_col=limits.columns + 1, values_only=True)
        lines = (
            (n, ["" if cell is None else _cell_text(cell) for cell in row]) for n, row in enumerate(cells, start=1)
        )
        table = Table(header=[])
        table.errors = _scan(lines, limits, table)
        return table
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused([(0, _("The XLSX file cannot be read."))]) from None
    finally:
        workbook.close()


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _count_rows(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> int:
    """The rows of a sheet's XML (``<row`` tags), counted while unpacking it; stops once past ``limit``."""
    count, tail = 0, b""
    with archive.open(entry) as source:
        while chunk := source.read(1024 * 1024):
            data = tail + chunk
            cut = data.rfind(b"<")  # no tag spans a cut made before a "<"
            cut = len(data) if cut < 0 else cut
            count += len(_ROW_TAG.findall(data, 0, cut))
            tail = data[cut:][:256]
            if count > limit:
                return count
    return count + len(_ROW_TAG.findall(tail))


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    return str(cell)


def _check_header(table: Table, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    header = table.header
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c and c not in required + optional]
    problems = []
    if missing:
        problems.append((1, _("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)}))
    if unknown:
        problems.append((1, _("Unknown column(s): %(cols)s.") % {"cols": ", ".join(unknown)}))
    if problems:
        raise ImportRefused(problems)


def _table(source: bytes | Table, limits: Limits | None) -> Table:
    return source if isinstance(source, Table) else read_table(source, limits)


def _finish(plan: Plan, table: Table) -> Plan:
    """The reading errors with the plan's, by line; at most MAX_ERRORS listed."""
    if table.errors:
        plan.errors = sorted(table.errors + plan.errors, key=lambda e: e[0])
    if len(plan.errors) > MAX_ERRORS:
        more = len(plan.errors) - MAX_ERRORS
        plan.errors = [
            *plan.errors[:MAX_ERRORS],
            (0, ngettext("… and %(n)s more error.", "… and %(n)s more errors.", more) % {"n": format_number(more)}),
        ]
    return plan


def _getter(raw: dict[str, str]) -> Callable[[str], str]:
    return lambda name: (raw.get(name) or "").strip()


# ---- indicator values -------------------------------------------------------------------------------------------


def plan_values(
    session: Session, source: bytes | Table, *, user: User | None = None, filename: str = "",
    limits: Limits | None = None,
) -> Plan:  # fmt: skip
    """Validate a values file (bytes, or a ``Table`` already read) against the database: what would be new,
    changed, unchanged, and every error. Only reads."""
    table = _table(source, limits)
    _check_header(table, VALUE_COLUMNS, VALUE_OPTIONAL)
    plan = Plan("values")
    indicators = {i.code: i for i in session.scalars(select(Indicator))}
    countries = {r[0]: r[1] for r in session.execute(select(Country.iso3, Country.id))}
    t = cast(sa.Table, IndicatorValue.__table__)  # a declarative class's __table__ is a Table
    existing: dict[tuple, Any] = {
        (r.indicator_id, r.country_id, r.period, r.sex, r.age_group, r.migratory_status): r
        for r in session.execute(
            select(t.c.id, t.c.indicator_id, t.c.country_id, t.c.period, t.c.sex, t.c.age_group,
                   t.c.migratory_status, t.c.value, t.c.status, t.c.source, t.c.note, t.c.version)
        )
    }  # fmt: skip
    seen: dict[tuple, int] = {}
    own_country = user.country_id if user is not None and user.role is Role.focal_point else None
    for line, raw in table.records():
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
            try:
                form = ValueForm(period=get("period"), value=get("value"), status=get("status") or "final",
                                 source=get("source"), note=raw.get("note") or "")  # fmt: skip
                clean = indicator_service.clean_row(indicator, form)
            except FormInvalid as exc:
                problems.extend(f"{name}: {message}" for name, message in exc.errors.items())
            except PydanticValidationError as exc:
                problems.extend(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
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
        if current is not None:
            plan.seen[current.id] = (current.version, line)
        if current is None:
            plan.new.append(dict(zip(("indicator_id", "country_id", "period", "sex", "age_group",
                                      "migratory_status"), key, strict=True)) | values)  # fmt: skip
            plan.new_lines.append(line)
        elif all(getattr(current, k) == v for k, v in values.items()):
            plan.unchanged += 1
        else:
            plan.changed.append({"b_id": current.id, "b_version": current.version} | values)
            plan.lines[current.id] = line
    return _finish(plan, table)


def apply_values(session: Session, plan: Plan, *, user_id: int | None, reviewed: bool = True) -> None:
    """Write a valid plan with executemany statements in the caller's transaction, and one summary audit event.

    ``reviewed``: the values count as reviewed (loaded by the secretariat or the command line); a focal point's
    import is False: its new and changed values are marked not yet reviewed (app/indicators/service.py).

    All or nothing: the writes run in a savepoint; a row changed or removed since the plan was made (its version
    is no longer the planned one) or a row added meanwhile raises ``ImportConflict`` and nothing is written."""
    if plan.errors:
        raise ImportRefused(plan.errors)
    t = cast(sa.Table, IndicatorValue.__table__)  # a declarative class's __table__ is a Table
    now = utcnow()
    statement = (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
        .values(value=bindparam("value"), status=bindparam("status"), source=bindparam("source"),
                note=bindparam("note"), version=t.c.version + 1, updated_at=now, updated_by_id=user_id,
                reviewed_at=now if reviewed else None, reviewed_by_id=user_id if reviewed else None)
    )  # fmt: skip
    review = {"reviewed_at": now if reviewed else None, "reviewed_by_id": user_id if reviewed else None}
    rows = [r | {"created_at": now, "updated_at": now, "version": 1, "updated_by_id": user_id} | review
            for r in plan.new]  # fmt: skip
    _write(session, plan, t, statement, rows, user_id, "indicator_value")


def _write(
    session: Session, plan: Plan, table: Any, statement: Any, rows: list[dict[str, Any]], user_id: int | None,
    entity: str, then: Callable[[], None] | None = None,
) -> None:  # fmt: skip
    previous = session.info.get("audit_disabled")
    session.info["audit_disabled"] = True
    try:
        with session.begin_nested():
            if plan.changed:
                _check_versions(session, table, plan)
                result = session.connection().execute(statement, plan.changed)
                if result.rowcount != len(plan.changed):  # changed between the check and the update (PostgreSQL)
                    raise ImportConflict([(0, _CHANGED_MEANWHILE)])
            if rows:
                session.execute(insert(table), rows)
            if then is not None:
                then()
            _summary_event(session, plan, user_id, entity)
            session.flush()
    except IntegrityError:
        raise ImportConflict([(0, _("Someone else added some of these rows since the preview. Nothing was "
                                    "imported: upload the file again."))]) from None  # fmt: skip
    finally:
        session.info["audit_disabled"] = previous


_CHANGED_MEANWHILE = lazy_gettext("Someone else changed some of these rows since the preview. Nothing was imported: "
                                  "upload the file again to see them.")  # fmt: skip


def _check_versions(session: Session, table: Any, plan: Plan) -> None:
    """Every row to update still has the version the plan read, or ``ImportConflict`` names each line that does not."""
    conflicts: list[tuple[int, str]] = []
    for start in range(0, len(plan.changed), 5000):
        chunk = plan.changed[start : start + 5000]
        found: dict[int, int] = dict(
            session.connection()
            .execute(select(table.c.id, table.c.version).where(table.c.id.in_([r["b_id"] for r in chunk])))
            .all()
        )
        for row in chunk:
            now = found.get(row["b_id"])
            if now is None:
                conflicts.append((plan.lines.get(row["b_id"], 0), _("This row was removed by someone else since "
                                                                       "the preview.")))  # fmt: skip
            elif now != row["b_version"]:
                conflicts.append((plan.lines.get(row["b_id"], 0), _("This row was changed by someone else since the "
                                                                       "preview (now version %(now)s, previewed "
                                                                       "version %(then)s).")
                                  % {"now": now, "then": row["b_version"]}))  # fmt: skip
    if conflicts:
        raise ImportConflict(sorted(conflicts))


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


def plan_indicators(
    session: Session, source: bytes | Table, *, filename: str = "", limits: Limits | None = None
) -> Plan:
    table = _table(source, limits)
    _check_header(table, INDICATOR_COLUMNS, INDICATOR_OPTIONAL)
    plan = Plan("indicators")
    existing = {i.code: i for i in session.scalars(select(Indicator))}
    objectives = {r[0]: r[1] for r in session.execute(select(Objective.number, Objective.id))}
    links = {
        (row.indicator_id, row.objective_id)
        for row in session.execute(select(IndicatorObjective.indicator_id, IndicatorObjective.objective_id))
    }
    seen: dict[str, int] = {}
    for line, raw in table.records():
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
        values: dict[str, str | None] = {
            name: get(name) for name in ("name", "unit", "aggregation", "description", "source")
        }
        values["sdg_code"] = get("sdg_code") or None
        current = existing.get(code)
        wanted = [objectives[n] for n in numbers]
        if current is not None:
            plan.seen[current.id] = (current.version, line)
        if current is None:
            plan.new.append({"code": code} | values | {"_objectives": wanted})
            plan.new_lines.append(line)
        else:
            missing_links = [o for o in wanted if (current.id, o) not in links]
            same = all(getattr(current, k) == v for k, v in values.items())
            if same and not missing_links:
                plan.unchanged += 1
            else:
                plan.changed.append({"b_id": current.id, "b_version": current.version} | values)
                plan.lines[current.id] = line
                plan.extra.extend({"indicator_id": current.id, "objective_id": o} for o in missing_links)
    return _finish(plan, table)


def apply_indicators(session: Session, plan: Plan, *, user_id: int | None) -> None:
    """As ``apply_values``: all or nothing, a row changed since the plan is an ``ImportConflict``."""
    if plan.errors:
        raise ImportRefused(plan.errors)
    t = cast(sa.Table, Indicator.__table__)
    now = utcnow()
    statement = (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
        .values(name=bindparam("name"), unit=bindparam("unit"), aggregation=bindparam("aggregation"),
                sdg_code=bindparam("sdg_code"), description=bindparam("description"),
                source=bindparam("source"), version=t.c.version + 1, updated_at=now)
    )  # fmt: skip
    links = list(plan.extra)

    def new_indicators_and_links() -> None:
        for row in plan.new:
            indicator = Indicator(kind=IndicatorKind.sdg, **{k: v for k, v in row.items() if k != "_objectives"})
            session.add(indicator)
            session.flush()
            links.extend({"indicator_id": indicator.id, "objective_id": o} for o in row["_objectives"])
        if links:
            session.execute(
                insert(cast(sa.Table, IndicatorObjective.__table__)),
                [r | {"relation": "primary", "is_official": False} for r in links],
            )

    _write(session, plan, t, statement, [], user_id, "indicator", then=new_indicators_and_links)


def ensure_unchanged_since(plan: Plan, previewed: dict[int, tuple[int, int]]) -> None:
    """The rows a file matches are those the preview showed, at the versions it read (``Plan.seen`` then), or
    ``ImportConflict`` names each line someone else changed, added or removed meanwhile."""
    conflicts: list[tuple[int, str]] = []
    for row_id, (version, line) in plan.seen.items():
        before = previewed.get(row_id)
        if before is None:
            conflicts.append((line, _("This row was added by someone else since your preview.")))
        elif before[0] != version:
            conflicts.append((line, _("This row was changed by someone else since your preview.")))
    for row_id, (_version, line) in previewed.items():
        if row_id not in plan.seen:
            conflicts.append((line, _("This row was removed by someone else since your preview.")))
    if conflicts:
        raise ImportConflict(sorted(conflicts))


# ---- uploads waiting for their confirmation ---------------------------------------------------------------------

KEEP_PER_USER = 5


def keep_upload(
    session: Session, *, user_id: int, plan: Plan, filename: str, data: bytes, seconds: int
) -> PendingImport:
    """Keep a previewed file and the versions its preview read, for its uploader's confirm (any instance); forget
    the expired ones."""
    now = utcnow()
    session.execute(delete(PendingImport).where(PendingImport.expires_at < now))
    newest = select(PendingImport.id).where(PendingImport.user_id == user_id).order_by(PendingImport.id.desc())
    session.execute(  # a user's uploads waiting at once: at most KEEP_PER_USER (each up to GCM_MAX_UPLOAD_BYTES)
        delete(PendingImport).where(
            PendingImport.user_id == user_id, PendingImport.id.not_in(newest.limit(KEEP_PER_USER - 1).scalar_subquery())
        ),
        execution_options={"synchronize_session": False},
    )
    seen = [[row_id, version, line] for row_id, (version, line) in plan.seen.items()]
    pending = PendingImport(user_id=user_id, kind=plan.kind, filename=filename[:200], data=data, seen=seen,
                            created_at=now, expires_at=now + timedelta(seconds=seconds))  # fmt: skip
    session.add(pending)
    session.flush()
    return pending


def pending_upload(session: Session, upload_id: str, *, user_id: int) -> PendingImport | None:
    """The waiting upload of that id if it is the user's and has not expired (else None: upload again)."""
    if not upload_id.strip().isdecimal() or int(upload_id) > 2**31 - 1:
        return None
    pending = session.get(PendingImport, int(upload_id))
    if pending is None or pending.user_id != user_id or pending.expires_at <= utcnow():
        return None
    return pending


def claim_upload(session: Session, upload_id: int, *, user_id: int) -> None:
    """Delete the waiting upload as it is imported; already gone (confirmed twice at once): ``ImportConflict``."""
    claimed = cast(
        CursorResult[Any],  # a DELETE's result is a CursorResult (its rowcount)
        session.execute(
            delete(PendingImport).where(PendingImport.id == upload_id, PendingImport.user_id == user_id),
            execution_options={"synchronize_session": False},
        ),
    )
    if claimed.rowcount != 1:
        raise ImportConflict([(0, _("This upload was confirmed already."))])
