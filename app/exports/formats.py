"""Writers of the export formats: CSV, XLSX (write-only, to a temporary file) and JSON, all row by row.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) is neutralised
with a leading single quote in CSV and XLSX; numbers stay numbers.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.exports.queries import Column

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FLUSH_EVERY = 500  # rows per chunk sent to the client
WIDTHS = {"int": 12, "float": 14, "bool": 10, "date": 12, "datetime": 20, "str": 24, "text": 60}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate becomes literal text; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    return value


def csv_cell(value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def stream_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so spreadsheets detect the encoding), a header row, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.name for c in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(v) for v in row])
        if count % FLUSH_EVERY == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_cell(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, datetime):
        # Excel has no time zones: the cell holds UTC, and the header says so.
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_xlsx(path: str, sheets: Iterable[tuple[str, Sequence[Column], Iterable[Sequence[Any]]]]) -> None:
    """One sheet per dataset, typed cells, a bold frozen header row; write-only, so memory stays flat."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column.kind, 20)
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.name + (" (UTC)" if column.kind == "datetime" else ""))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([xlsx_cell(v) for v in row])
    workbook.save(path)


def json_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def stream_json(
    header: dict[str, Any], datasets: Iterable[tuple[str, Sequence[Column], Iterable[Sequence[Any]]]]
) -> Iterator[bytes]:
    """``{...header, "datasets": {"name": [{column: value}, ...], ...}}``, written as the rows arrive."""
    opening = json.dumps(header, ensure_ascii=False)[:-1]
    yield (opening + (", " if header else "") + '"datasets": {').encode("utf-8")
    for position, (name, columns, rows) in enumerate(datasets):
        names = [c.name for c in columns]
        yield ((", " if position else "") + json.dumps(name) + ": [").encode("utf-8")
        parts: list[str] = []
        first = True
        for row in rows:
            item = json.dumps(dict(zip(names, (json_value(v) for v in row), strict=True)), ensure_ascii=False)
            parts.append(item if first else "," + item)
            first = False
            if len(parts) >= FLUSH_EVERY:
                yield "".join(parts).encode("utf-8")
                parts = []
        yield ("".join(parts) + "]").encode("utf-8")
    yield b"}}"
