"""A country's pledges offline: an Excel workbook with a row per pledge, uploaded back through the same preview and
acceptance as the review (``service``: ``Row``, ``Preview``, ``offline_upload``).

Sheet ``Pledges``: the reference, then the fields of the pledge form that read well in a cell (``FIELDS``: title,
description, status as a validation list, timeframe, partners, where and for whom), and hidden columns with the
pledge's id, its version at the download and a digest per field (``document.value_hash`` of the form's value). The
hidden sheet ``gcm`` holds the file's identifiers in A1 (``FileIds``: the country's ISO3, cycle and questionnaire 0,
the country's id). Cells of pledges the user may not edit (the secretariat's download) stay locked.

The preview has a line per pledge and field: *unchanged*, *changed* (word diff), *conflict* (the pledge was saved
online since the download) or *refused* (the form's own rules, ``commitments.service.validate``, on the pledge with
the file's values: a status not in the list, a text too long, a date out of order; a pledge that is not the
country's). Accepting saves each pledge through ``commitments.service.update_commitment`` with the version the
preview showed, and marks its audit event as coming from the upload.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from app import files
from app.audit.diff import word_diff
from app.auth.models import User
from app.catalog.models import Country
from app.commitments import queries as commitment_queries
from app.commitments import service as commitments
from app.commitments.models import Commitment, CommitmentStatus
from app.commitments.schemas import FIELD_LABELS, STATUS_LABELS, CommitmentInput
from app.db import utcnow
from app.errors import FormInvalid, NotFound
from app.i18n import _, use_locale
from app.offline import excel, queries
from app.offline.document import FileIds, value_hash
from app.offline.models import OfflineUpload
from app.offline.service import (
    CHANGED,
    CONFLICT,
    PENDING_SECONDS,
    REFUSED,
    UNCHANGED,
    UPLOAD_SOURCE,
    Preview,
    Row,
    UploadRefused,
    check_file,
)
from app.visibility import is_pledging_entity, reads_everything

SHEET = "Pledges"
FIRST_ROW = 6
# The form's fields in the sheet, in the form's order (``CommitmentInput`` names).
FIELDS = ("title", "description", "status", "timeframe_start", "timeframe_end", "partners", "scope")
FIRST_FIELD = 2  # column B; column A is the reference
ID_COLUMN = FIRST_FIELD + len(FIELDS)  # hidden: id, version, digests
TEXTS = ("title", "description", "partners", "scope")


@dataclass
class PledgesTarget:
    """A country's pledges, as the offline pages need them (the third kind beside a review and a contribution)."""

    country: Country
    pledges: dict[int, Commitment]  # by id, everything ``CommitmentInput.from_commitment`` reads loaded

    is_contribution = False
    is_pledges = True

    @property
    def name(self) -> str:
        return self.country.name

    @property
    def owner(self) -> str:
        return self.country.iso3


def target(session: Session, country: Country) -> PledgesTarget:
    pledges = queries.country_pledges(session, country.id)
    return PledgesTarget(country, {p.id: p for p in pledges})


def ensure_can_download(user: User, pledges: PledgesTarget) -> None:
    """The country's focal points and the secretariat; anyone else 404."""
    if not (reads_everything(user) or is_pledging_entity(user, pledges.country.id, None)):
        raise NotFound(_("The page or record was not found."))


def can_upload(user: User, pledges: PledgesTarget) -> bool:
    return is_pledging_entity(user, pledges.country.id, None)


def _values(commitment: Commitment) -> dict[str, str]:
    form = CommitmentInput.from_commitment(commitment)
    return {name: getattr(form, name) for name in FIELDS}


def _status_labels() -> dict[str, str]:
    return {s.value: str(STATUS_LABELS[s]) for s in CommitmentStatus}


def _shown(name: str, value: str) -> str:
    return _status_labels().get(value, value) if name == "status" else value


def _status_value(text: str, lang: str) -> str:
    """A status as the file says it (its label in the file's language or English, or its value) to its value; the
    text itself when it is none of them (the form's check refuses it)."""
    known: dict[str, str] = {s.value: s.value for s in CommitmentStatus}
    for code in ("en", lang):
        with use_locale(code):
            known |= {label.casefold(): value for value, label in _status_labels().items()}
    return known.get(text.strip().casefold(), text.strip())


# ---- download ----------------------------------------------------------------------------------------------------


def write(session: Session, *, user: User, pledges: PledgesTarget, lang: str) -> tuple[str, bytes]:
    """The workbook in the current language: (file name, bytes)."""
    ensure_can_download(user, pledges)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    hidden = workbook.create_sheet(excel.HIDDEN)
    hidden.sheet_state = "hidden"
    hidden["A1"] = FileIds(pledges.owner, 0, 0, pledges.country.id, lang).encode()
    statuses = list(_status_labels().values())
    for i, label in enumerate(statuses, start=2):
        hidden.cell(row=2, column=i, value=label)
    sheet["A1"] = _("Pledges of %(country)s") % {"country": pledges.name}
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A3"] = _(
        "Edit the pledges in the coloured cells and upload this file to the pledges' offline page. "
        "Do not change the references or add rows: record new pledges in the product."
    )
    sheet["A3"].font = Font(italic=True)
    headers = [str(FIELD_LABELS["reference"]), *(str(FIELD_LABELS[name]) for name in FIELDS)]
    for column, title in enumerate(headers, start=1):
        sheet.cell(row=FIRST_ROW - 1, column=column, value=title).font = Font(bold=True)
    for column, width in enumerate((16, 40, 80, 18, 14, 14, 40, 40), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column in range(ID_COLUMN, ID_COLUMN + 3):
        sheet.column_dimensions[get_column_letter(column)].hidden = True
    validation = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(excel.HIDDEN)}!$B$2:${get_column_letter(len(statuses) + 1)}$2",
        allow_blank=False,
        showErrorMessage=True,
        error=_("Choose one of the list's items."),
    )
    sheet.add_data_validation(validation)
    fill = PatternFill("solid", fgColor="FFF8DC")
    for row, commitment in enumerate(pledges.pledges.values(), start=FIRST_ROW):
        editable = can_upload(user, pledges)
        values = _values(commitment)
        sheet.cell(row=row, column=1, value=commitment.reference)
        for offset, name in enumerate(FIELDS):
            cell = sheet.cell(row=row, column=FIRST_FIELD + offset, value=_shown(name, values[name]) or None)
            cell.data_type = "s"
            cell.number_format = "@"  # a date stays as written
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if editable:
                cell.protection = Protection(locked=False)
                cell.fill = fill
                if name == "status":
                    validation.add(cell)
        sheet.cell(row=row, column=ID_COLUMN, value=str(commitment.id))
        sheet.cell(row=row, column=ID_COLUMN + 1, value=str(commitment.version))
        digests = ",".join(value_hash(values[name]) for name in FIELDS)
        sheet.cell(row=row, column=ID_COLUMN + 2, value=digests)
    sheet.freeze_panes = f"B{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    out = io.BytesIO()
    workbook.save(out)
    return f"gcm-pledges-{pledges.owner}.xlsx", out.getvalue()


# ---- upload ------------------------------------------------------------------------------------------------------


@dataclass
class PledgeRow:
    """A pledge as the file holds it: its id, version and digests at the download, and each field's text."""

    id: int
    reference: str
    version: int
    digests: dict[str, str]
    texts: dict[str, str]


def read(data: bytes) -> tuple[FileIds | None, list[PledgeRow]]:
    """The file's identifiers and its pledges (rows without a readable hidden id are skipped)."""
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    try:
        ids = None
        if excel.HIDDEN in workbook.sheetnames:
            ids = FileIds.decode(excel._text(workbook[excel.HIDDEN]["A1"].value))
        if SHEET not in workbook.sheetnames:
            return ids, []
        rows = []
        for cells in workbook[SHEET].iter_rows(min_row=FIRST_ROW, max_col=ID_COLUMN + 2, values_only=True):
            texts = [excel._text(c) for c in cells] + [""] * (ID_COLUMN + 2 - len(cells))
            pledge_id, version = texts[ID_COLUMN - 1], texts[ID_COLUMN]
            digests = texts[ID_COLUMN + 1].split(",")
            if not (pledge_id.isdecimal() and version.isdecimal()) or len(digests) != len(FIELDS):
                continue
            fields = {name: texts[FIRST_FIELD - 1 + i] for i, name in enumerate(FIELDS)}
            rows.append(
                PledgeRow(int(pledge_id), texts[0], int(version), dict(zip(FIELDS, digests, strict=True)), fields)
            )
        return ids, rows
    finally:
        workbook.close()


def check_ids(pledges: PledgesTarget, ids: FileIds | None) -> None:
    if ids is None or ids.cycle_id != 0 or ids.questionnaire_version != 0:
        raise UploadRefused(_("This file was not downloaded from the pledges' offline page (its identifiers differ)."))
    if ids.owner != pledges.owner or ids.record_id != pledges.country.id:
        raise UploadRefused(
            _("This file holds the pledges of %(file)s, not of %(here)s.") % {"file": ids.owner, "here": pledges.owner}
        )


# ---- preview -----------------------------------------------------------------------------------------------------


def _part(pledge_id: int) -> str:
    return f"pledge{pledge_id}"


def keep_upload(
    session: Session, *, user: User, pledges: PledgesTarget, name: str, data: bytes, limit: int
) -> OfflineUpload:
    """Check the file (an XLSX of this country's pledges) and keep it for its preview; nothing is written."""
    if not can_upload(user, pledges):
        raise NotFound(_("The page or record was not found."))
    if check_file(name, data, limit=limit) != "xlsx":
        raise UploadRefused(_("Upload the pledges as the Excel workbook (.xlsx) downloaded here."))
    try:
        ids, _rows = read(data)
    except Exception:  # a damaged file
        raise UploadRefused(_("The file cannot be read: download the pledges again.")) from None
    check_ids(pledges, ids)
    now = utcnow()
    queries.forget_old(session, user_id=user.id, now=now)
    upload = OfflineUpload(user_id=user.id, country_id=pledges.country.id, format="xlsx",
                           filename=files.clean_name(name), data=data, created_at=now,
                           expires_at=now + timedelta(seconds=PENDING_SECONDS))  # fmt: skip
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, *, user: User, pledges: PledgesTarget, upload_id: int) -> OfflineUpload:
    """The user's waiting upload of these pledges; anyone else's, or an expired one, is not found."""
    upload = queries.get_upload(session, upload_id)
    if (
        upload is None
        or upload.user_id != user.id
        or upload.country_id != pledges.country.id
        or (upload.expires_at <= utcnow())
    ):
        raise NotFound(_("This upload is no longer waiting (it expired, or was not yours): upload the file again."))
    return upload


def preview(session: Session, *, user: User | None, pledges: PledgesTarget, data: bytes) -> Preview:
    """The ``service.Preview`` of an upload: a line per pledge and field of the file."""
    try:
        ids, rows = read(data)
    except Exception:  # a damaged file
        raise UploadRefused(_("The file cannot be read: download the pledges again.")) from None
    check_ids(pledges, ids)
    assert ids is not None
    lang = ids.language
    mine = user is None or can_upload(user, pledges)
    lines: list[Row] = []
    for pledge in rows:
        commitment = pledges.pledges.get(pledge.id)
        if commitment is None:
            line = Row(_part(pledge.id), "pledge", pledge.reference or str(pledge.id), "", REFUSED)
            line.reason = _("This pledge is not one of the pledges of %(country)s: it was left out.") % {
                "country": pledges.name
            }
            lines.append(line)
            continue
        now = _values(commitment)
        wanted: dict[str, str] = {}
        for name in FIELDS:
            text = commitments.clean(pledge.texts[name])
            wanted[name] = _status_value(text, lang) if name == "status" else text
        changed = [
            n for n in FIELDS if value_hash(wanted[n]) != pledge.digests[n] and wanted[n] != commitments.clean(now[n])
        ]
        errors = _errors(session, user, commitment, {n: wanted[n] for n in changed}) if changed else {}
        with use_locale(lang):
            for name in FIELDS:
                line = Row(_part(commitment.id), name, commitment.reference, str(FIELD_LABELS[name]), UNCHANGED,
                           version=commitment.version)  # fmt: skip
                line.product_text = _shown(name, now[name])
                line.file_text = _shown(name, wanted[name])
                line.value = wanted[name]
                if name in changed:
                    if name in errors:
                        line.status, line.reason = REFUSED, errors[name]
                    elif not mine:
                        line.status, line.reason = REFUSED, _("You may not change this pledge.")
                    else:
                        line.status = CONFLICT if commitment.version != pledge.version else CHANGED
                        if name in TEXTS:
                            line.diff = word_diff(line.product_text, line.file_text)
                lines.append(line)
    return Preview(ids, lines, [])


def _errors(session: Session, user: User | None, commitment: Commitment, changes: dict[str, str]) -> dict[str, str]:
    """The form's messages for the changed fields, checked with the pledge's other values as they are now (a change
    refused does not count against the others: the rest are checked again without it)."""
    errors: dict[str, str] = {}
    base = CommitmentInput.from_commitment(commitment)
    pending = dict(changes)
    while pending:
        try:
            commitments.validate(session, base.model_copy(update=pending), user=user, state=True, own=commitment)
        except FormInvalid as exc:
            mine = {n: m for n, m in exc.errors.items() if n in pending}
            if not mine:
                return errors  # only values not in the file are wrong: the form will say so when saving
            for name, message in mine.items():
                errors[name] = message
                pending.pop(name)
            continue
        break
    return errors


# ---- accept ------------------------------------------------------------------------------------------------------


def accept(
    session: Session,
    *,
    user: User,
    pledges: PledgesTarget,
    data: bytes,
    filename: str,
    wanted: set[str],
    seen: dict[str, int],
) -> tuple[list[str], list[tuple[str, str]]]:
    """Save the wanted lines (``pledge<id>|<field>``) that are changes or conflicts resolved for the file, a pledge
    at a time through ``update_commitment`` with the version the preview showed; (saved, failed with why)."""
    plan = preview(session, user=user, pledges=pledges, data=data)
    by_pledge: dict[str, list[Any]] = {}
    for row in plan.rows:
        if row.id in wanted and row.status in (CHANGED, CONFLICT):
            by_pledge.setdefault(row.part, []).append(row)
    saved: list[str] = []
    failed: list[tuple[str, str]] = []
    for part, rows in by_pledge.items():
        commitment = commitment_queries.get_commitment(session, int(part.removeprefix("pledge")), fresh=True)
        assert commitment is not None
        version = seen.get(rows[0].id, rows[0].version)
        data_in = CommitmentInput.from_commitment(commitment).model_copy(update={r.key: r.value for r in rows})
        try:
            commitments.update_commitment(session, user=user, commitment=commitment, data=data_in, version=version)
        except (commitments.EditConflict, FormInvalid, NotFound) as exc:
            failed.extend((r.id, exc.message) for r in rows)
            continue
        event = queries.latest_event(session, "commitment", commitment.id)
        if event is not None and event.after is not None:
            event.after = {**event.after, "source": UPLOAD_SOURCE, "file": filename}
            session.flush()
        saved.extend(r.id for r in rows)
    return saved, failed
