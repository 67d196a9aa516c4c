"""A review as an Excel workbook (openpyxl) and back.

Sheet ``Review``: a row per question (part, question, hint, the answer cell, and a hidden column with the question's
part, key, answer version and value digest: ``document.Entry.tag``). Choices are data-validation lists (their items
on the hidden sheet ``gcm``, whose A1 holds the file's identifiers). The sheet is protected without a password (it
only guards against slips) and the answer cells of editable parts are unlocked; the others stay locked.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from app.i18n import _
from app.offline.document import FileIds, ReadBack, ReviewFile, decode_tag

SHEET, HIDDEN = "Review", "gcm"
FIRST_ROW = 6
ANSWER_COLUMN, TAG_COLUMN = 4, 5


def write(review: ReviewFile) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    hidden = workbook.create_sheet(HIDDEN)
    hidden.sheet_state = "hidden"
    hidden["A1"] = review.ids.encode()
    sheet["A1"] = review.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = review.subtitle
    sheet["A3"] = review.notice
    sheet["A3"].font = Font(italic=True)
    for column, title in enumerate((_("Part"), _("Question"), _("Hint"), _("Answer")), start=1):
        cell = sheet.cell(row=FIRST_ROW - 1, column=column, value=title)
        cell.font = Font(bold=True)
    widths = {"A": 28, "B": 40, "C": 40, "D": 70}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions[get_column_letter(TAG_COLUMN)].hidden = True
    fill = PatternFill("solid", fgColor="FFF8DC")
    row = FIRST_ROW
    lists = 1
    for part in review.parts:
        for entry in part.entries:
            title = part.title if part.editable else f"{part.title} ({review.read_only_label})"
            sheet.cell(row=row, column=1, value=title)
            sheet.cell(row=row, column=2, value=entry.label)
            sheet.cell(row=row, column=3, value=entry.hint)
            answer = sheet.cell(row=row, column=ANSWER_COLUMN, value=entry.text or None)
            answer.data_type = "s"
            answer.number_format = "@"  # text: "3" stays "3", a date stays as written
            answer.alignment = Alignment(wrap_text=True, vertical="top")
            if entry.editable:
                answer.protection = Protection(locked=False)
                answer.fill = fill
            sheet.cell(row=row, column=TAG_COLUMN, value=entry.tag())
            for column in (1, 2, 3):
                sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
            if entry.options:
                lists += 1
                items = [review.empty_choice, *entry.options]
                for i, item in enumerate(items, start=2):
                    hidden.cell(row=lists, column=i, value=item)
                end = get_column_letter(len(items) + 1)
                validation = DataValidation(
                    type="list",
                    formula1=f"{quote_sheetname(HIDDEN)}!$B${lists}:${end}${lists}",
                    allow_blank=True,
                    showErrorMessage=True,
                    error=_("Choose one of the list's items."),
                )
                sheet.add_data_validation(validation)
                validation.add(answer)
            row += 1
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read(data: bytes) -> ReadBack:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    try:
        result = ReadBack(ids=None)
        if HIDDEN in workbook.sheetnames:
            result.ids = FileIds.decode(_text(workbook[HIDDEN]["A1"].value))
        if any(n.startswith("xl/comments") or n.startswith("xl/threadedComments") for n in names):
            result.notes.append(_("The workbook's comments were ignored."))
        if any(n.startswith("xl/media/") for n in names):
            result.notes.append(_("The workbook's images were ignored."))
        if SHEET not in workbook.sheetnames:
            return result
        sheet = workbook[SHEET]
        for cells in sheet.iter_rows(min_row=FIRST_ROW, max_col=TAG_COLUMN, values_only=True):
            if len(cells) < TAG_COLUMN:
                continue
            decoded = decode_tag(_text(cells[TAG_COLUMN - 1]))
            if decoded is None:
                continue
            part, key, version, digest = decoded
            result.answers.setdefault((part, key), (version, digest, _text(cells[ANSWER_COLUMN - 1])))
        return result
    finally:
        workbook.close()
