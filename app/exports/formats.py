"""Writers of the export formats: CSV, XLSX and JSON, all streamed row by row as they are sent.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) is neutralised
with a leading single quote in CSV and XLSX; numbers stay numbers.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
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


# ---- XLSX, streamed -----------------------------------------------------------------------------------------------
# The workbook is written as it is sent: a zip (deflated, sizes in data descriptors, so nothing is seeked back) of
# sheets whose XML is generated row by row, with inline strings (no shared-strings table to hold in memory). The
# first bytes leave as soon as the first sheet starts; memory stays flat however many rows there are.

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's day 0; its dates have no time zone
# cellXfs of styles.xml: 0 plain, 1 bold (the header), 2 a date, 3 a date and time, 4 wrapped text (metadata)
BOLD, DATE, DATETIME, WRAPPED = 1, 2, 3, 4
STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{SHEET_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SheetSpec = tuple[str, Sequence[Column], Iterable[Sequence[Any]]]


class _Sink(io.RawIOBase):
    """Where the zip is written: bytes collected until the response takes them (not seekable)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _xml_text(value: str) -> str:
    """Text for an XML element or attribute: characters XML cannot hold removed, markup characters escaped."""
    return escape(ILLEGAL_CHARACTERS_RE.sub("", value), {'"': "&quot;"})


def _cell_text(value: str) -> str:
    """A text cell's content (the hot path: a plain string with nothing to escape is returned as it is)."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        value = "'" + value
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def _serial(value: datetime | date) -> float:
    """Excel's serial number of a date (days since 1899-12-30; the time as a fraction), in UTC."""
    if isinstance(value, datetime):
        plain = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return (plain - EXCEL_EPOCH).total_seconds() / 86400
    return float((value - EXCEL_EPOCH.date()).days)


def _xlsx_cell(ref: str, value: Any, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):  # most cells (a StrEnum too: its value)
        return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_cell_text(value)}</t></is></c>'
    if value is None:
        return ""
    value = _plain(value)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        return f'<c r="{ref}" s="{DATETIME}"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE}"><v>{_serial(value)!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_cell_text(str(value))}</t></is></c>'


def _sheet_head(widths: Sequence[float], frozen: bool) -> str:
    pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' if frozen else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    return (
        XML_HEAD + f'<worksheet xmlns="{SHEET_NS}" xmlns:r="{REL_NS}">'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
    )


def _quoted_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def stream_xlsx(
    sheets: Sequence[SheetSpec],
    about: Callable[[list[tuple[str, int]]], list[tuple[str, Any]]] | None = None,
    *,
    about_title: str = "About",
    creator: str = "",
) -> Iterator[bytes]:
    """One sheet per dataset (typed cells, a bold frozen header row with an autofilter over the rows written), then,
    when ``about`` is given, a first sheet describing the export: ``about(counts)`` gives its (field, value) rows once
    every dataset has been written (``counts``: each sheet's title and number of rows). Sent as it is written."""
    sink = _Sink()
    titles = ([about_title[:31]] if about else []) + [title[:31] for title, _c, _r in sheets]
    offset = 1 if about else 0
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(titles) + 1)
        )
        package.writestr(
            "[Content_Types].xml",
            XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f"{overrides}</Types>",
        )
        package.writestr(
            "_rels/.rels",
            XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>',
        )
        yield sink.take()  # the first bytes: the download has started
        counts: list[tuple[str, int]] = []
        filters: list[tuple[int, str]] = []
        for index, (title, columns, rows) in enumerate(sheets, start=1 + offset):
            letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
            with package.open(f"xl/worksheets/sheet{index}.xml", mode="w") as entry:
                entry.write(_sheet_head([WIDTHS.get(c.kind, 20) for c in columns], frozen=True).encode())
                header = "".join(
                    _xlsx_cell(f"{letter}1", c.name + (" (UTC)" if c.kind == "datetime" else ""), BOLD)
                    for letter, c in zip(letters, columns, strict=True)
                )
                entry.write(f'<row r="1">{header}</row>'.encode())
                number = 1  # the last row written
                parts: list[str] = []
                for row in rows:
                    number += 1
                    cells = "".join(_xlsx_cell(f"{letter}{number}", v) for letter, v in zip(letters, row, strict=True))
                    parts.append(f'<row r="{number}">{cells}</row>')
                    if len(parts) >= FLUSH_EVERY:
                        entry.write("".join(parts).encode())
                        parts = []
                        chunk = sink.take()
                        if chunk:
                            yield chunk
                last = f"{letters[-1]}{number}" if letters else "A1"
                entry.write(("".join(parts) + f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>').encode())
            counts.append((title[:31], number - 1))
            filters.append((index - 1, f"{_quoted_sheet(title[:31])}!$A$1:${letters[-1] if letters else 'A'}${number}"))
            yield sink.take()
        if about:
            with package.open("xl/worksheets/sheet1.xml", mode="w") as entry:
                entry.write(_sheet_head([28, 100], frozen=False).encode())
                for number, (field, value) in enumerate(about(counts), start=1):
                    style = BOLD if number == 1 else 0
                    cells = _xlsx_cell(f"A{number}", field, BOLD) + _xlsx_cell(f"B{number}", value, style or WRAPPED)
                    entry.write(f'<row r="{number}">{cells}</row>'.encode())
                entry.write(b"</sheetData></worksheet>")
        sheet_list = "".join(
            f'<sheet name="{_xml_text(t)}" sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(titles, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{_xml_text(ref)}</definedName>'
            for i, ref in filters
        )
        package.writestr(
            "xl/workbook.xml",
            XML_HEAD + f'<workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}"><bookViews><workbookView activeTab="0"/>'
            f"</bookViews><sheets>{sheet_list}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(titles) + 1)
        )
        styles_id = len(titles) + 1
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">{rels}'
            f'<Relationship Id="rId{styles_id}" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>',
        )
        package.writestr("xl/styles.xml", STYLES)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        package.writestr(
            "docProps/core.xml",
            XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{_xml_text(creator)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created></cp:coreProperties>',
        )
    yield sink.take()


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
