"""Editing downloaded review files in code, as a person would in Word or Excel (python-docx, openpyxl)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from app.offline import word
from app.offline.document import decode_tag


def edit_docx(data: bytes, changes: dict[tuple[str, str], str]) -> bytes:
    """The document with the answer cells of ``changes`` replaced by their text (lines as paragraphs)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        properties = word._properties(archive)
    document = docx.Document(io.BytesIO(data))
    left = dict(changes)
    for table in document.tables:
        mark = re.match(r"^\s*\[Q(\d+)\]", table.cell(0, 0).text)
        decoded = decode_tag(properties.get(f"gcm.q{mark.group(1)}", "")) if mark else None
        if decoded is None or (decoded[0], decoded[1]) not in left:
            continue
        cell = table.cell(1, 0)
        lines = left.pop((decoded[0], decoded[1])).split("\n")
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    assert not left, f"not in the document: {left}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rewrite_docx_xml(data: bytes, change: Callable[[str], str]) -> bytes:
    """The document with ``change`` applied to word/document.xml's text."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                content = change(content.decode()).encode()
            target.writestr(info, content)
    return out.getvalue()


def libreoffice_resave(data: bytes, suffix: str, tmp_path: Path) -> bytes:
    """The file opened and saved again by LibreOffice (headless), as a person using it would; skipped without it,
    unless GCM_TEST_REQUIRE_LIBREOFFICE=1."""
    import os

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("GCM_TEST_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice (soffice) is required here (GCM_TEST_REQUIRE_LIBREOFFICE=1) but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    source = tmp_path / f"in.{suffix}"
    source.write_bytes(data)
    out = tmp_path / "out"
    filters = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
         filters[suffix], "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return (out / f"in.{suffix}").read_bytes()


def edit_xlsx(data: bytes, changes: dict[tuple[str, str], str]) -> bytes:
    """The workbook with the answer cells of ``changes`` set to their text (openpyxl, as a person types)."""
    from openpyxl import load_workbook

    from app.offline import excel

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[excel.SHEET]
    left = dict(changes)
    for row in sheet.iter_rows(min_row=excel.FIRST_ROW):
        decoded = decode_tag(str(row[excel.TAG_COLUMN - 1].value or ""))
        if decoded is not None and (decoded[0], decoded[1]) in left:
            row[excel.ANSWER_COLUMN - 1].value = left.pop((decoded[0], decoded[1]))
    assert not left, f"not in the workbook: {left}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
