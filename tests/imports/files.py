"""Files that once sank the service, built in memory: XLSX with a crafted sheet (zip bombs, a million rows)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def xlsx_with_sheet(sheet_xml: bytes, level: int = 9) -> bytes:
    """A valid workbook (made by openpyxl) whose first sheet is replaced by ``sheet_xml``."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, sheet_xml if entry.filename == SHEET else source.read(entry))
    return out.getvalue()


def sheet_xml(rows: int, *, dimension: bool = True, header: str = "indicator") -> bytes:
    """A sheet with a header cell then ``rows`` rows of one number each; its <dimension> declared or not."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>'
    if dimension:
        head += f'<dimension ref="A1:A{rows + 1}"/>'
    body = [f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{header}</t></is></c></row>']
    body += [f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, rows + 2)]
    return (head + "".join(body) + "</sheetData></worksheet>").encode()


def zip_bomb(unpacked_mb: int = 50) -> bytes:
    """An XLSX whose sheet is megabytes of empty rows: it packs about a thousand times smaller."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode()
    empty = b'<row r="1"/>' * (unpacked_mb * 1024 * 1024 // 12)
    return xlsx_with_sheet(head + empty + b"</sheetData></worksheet>")


def million_row_xlsx() -> bytes:
    """1,048,576 rows, the most a sheet holds (the reported file: 383 KB packed)."""
    return xlsx_with_sheet(sheet_xml(1_048_575), level=1)
