"""A country's pledges as an Excel workbook and back (``app/offline/pledges.py``): downloaded by the focal point,
edited with openpyxl (and once through LibreOffice), uploaded, previewed pledge by pledge and field by field, and
accepted through the pledge form's own service (versions, audit noting the upload)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.queries import list_history
from app.auth.models import Role
from app.commitments import queries, service
from app.commitments.models import Commitment, CommitmentStatus
from app.commitments.schemas import CommitmentInput
from app.offline import pledges
from tests.commitments.helpers import DESCRIPTION, focal_point, make_commitment
from tests.factories import csrf_token, make_user, sign_in
from tests.offline.files import libreoffice_resave

COLUMNS = {name: pledges.FIRST_FIELD + i for i, name in enumerate(pledges.FIELDS)}


def _download(client: TestClient, iso3: str = "PHL") -> bytes:
    response = client.get(f"/countries/{iso3}/pledges/offline/pledges.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment")
    return response.content


def _edit(data: bytes, changes: dict[tuple[str, str], str], *, pledge_id: dict[str, int] | None = None) -> bytes:
    """The workbook with the cells of ``changes`` ((reference, field) -> text) set, as a person types; ``pledge_id``
    rewrites a row's hidden id (reference -> id)."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[pledges.SHEET]
    left = dict(changes)
    for row in sheet.iter_rows(min_row=pledges.FIRST_ROW):
        reference = str(row[0].value)
        for name, column in COLUMNS.items():
            if (reference, name) in left:
                row[column - 1].value = left.pop((reference, name))
        if pledge_id and reference in pledge_id:
            row[pledges.ID_COLUMN - 1].value = str(pledge_id[reference])
    assert not left, f"not in the workbook: {left}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client: TestClient, data: bytes, iso3: str = "PHL", name: str = "pledges.xlsx") -> object:
    return client.post(
        f"/countries/{iso3}/pledges/offline/uploads",
        data={"csrf_token": csrf_token(client)},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _preview(client: TestClient, data: bytes) -> str:
    response = _upload(client, data)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    page = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert page.status_code == 200, page.text
    return page.text


def _accept_url(page: str) -> str:
    found = re.search(r'action="([^"]*/accept)"', page)
    assert found, "no accept form"
    return found.group(1)


def _reloaded(session: Session, commitment: Commitment) -> Commitment:
    session.expire_all()
    loaded = queries.get_commitment(session, commitment.id)
    assert loaded is not None
    return loaded


def test_a_focal_point_edits_the_pledges_in_excel_and_accepts_them(client: TestClient, session: Session) -> None:
    focal = focal_point(session)
    first = make_commitment(session, user=focal)
    second = make_commitment(session, user=focal, title="Fair recruitment in the Gulf corridor")
    sign_in(client, focal)
    assert "/countries/PHL/pledges/offline" in client.get("/commitments").text
    data = _download(client)
    sheet = load_workbook(io.BytesIO(data))[pledges.SHEET]
    assert sheet.protection.sheet
    assert sheet.cell(row=pledges.FIRST_ROW - 1, column=COLUMNS["status"]).value == "Status"
    assert any(v.type == "list" for v in sheet.data_validations.dataValidation)
    assert not sheet.cell(row=pledges.FIRST_ROW, column=COLUMNS["title"]).protection.locked
    assert sheet.column_dimensions["I"].hidden  # the hidden id, version and digests
    longer = DESCRIPTION + " Two more provinces join in 2026."
    edited = _edit(data, {(first.reference, "title"): "Resource centres in seven provinces",
                          (first.reference, "status"): "In progress",
                          (second.reference, "description"): longer})  # fmt: skip
    page = _preview(client, edited)
    assert "3 changed, 0 in conflict, 0 refused" in page
    assert "<ins aria-label" in page  # the word diff of the title
    assert _reloaded(session, first).title == "Migrant resource centres in provinces of origin"  # nothing written yet
    versions = (first.version, second.version)
    rows = [f"pledge{first.id}|title", f"pledge{first.id}|status", f"pledge{second.id}|description"]
    answer = client.post(_accept_url(page), data={"csrf_token": csrf_token(client), "accept": rows})
    assert answer.status_code == 200 and "3 answers saved from the file." in answer.text
    first, second = _reloaded(session, first), _reloaded(session, second)
    assert (first.title, first.status, second.description) == (
        "Resource centres in seven provinces", CommitmentStatus.in_progress, longer,
    )  # fmt: skip
    assert (first.version, second.version) > versions
    event, _who = list_history(session, entity_type="commitment", entity_id=first.id)[0]
    assert event.after is not None and event.after["source"] == "offline_upload"
    assert event.after["file"] == "pledges.xlsx"
    history = client.get(f"/commitments/{first.id}").text
    assert "from the uploaded file pledges.xlsx" in history
    assert "offline_upload" not in history


def test_a_pledge_saved_online_since_the_download_is_a_conflict(client: TestClient, session: Session) -> None:
    focal = focal_point(session)
    pledge = make_commitment(session, user=focal)
    sign_in(client, focal)
    data = _download(client)
    online = CommitmentInput.from_commitment(pledge).model_copy(update={"title": "Renamed online"})
    service.update_commitment(session, user=focal, commitment=pledge, data=online, version=pledge.version)
    page = _preview(client, _edit(data, {(pledge.reference, "title"): "Renamed in the file"}))
    assert "0 changed, 1 in conflict, 0 refused" in page
    assert "Renamed online" in page and "Renamed in the file" in page
    row = f"pledge{pledge.id}|title"
    client.post(_accept_url(page), data={"csrf_token": csrf_token(client), "accept": row, f"use:{row}": "product"})
    assert _reloaded(session, pledge).title == "Renamed online"
    client.post(_accept_url(page), data={"csrf_token": csrf_token(client), "only": row, f"use:{row}": "file"})
    assert _reloaded(session, pledge).title == "Renamed in the file"


def test_refused_values_are_shown_and_never_block_the_others(client: TestClient, session: Session) -> None:
    focal = focal_point(session)
    pledge = make_commitment(session, user=focal)
    other = make_commitment(session, country="THA")
    sign_in(client, focal)
    data = _download(client)
    edited = _edit(data, {(pledge.reference, "status"): "Perhaps", (pledge.reference, "title"): "T" * 301,
                          (pledge.reference, "timeframe_end"): "2024-01-01",
                          (pledge.reference, "scope"): "Five provinces, then the whole country"})  # fmt: skip
    page = _preview(client, edited)
    assert "1 changed, 0 in conflict, 3 refused" in page
    assert "Choose a status from the list." in page
    assert "Shorten this to 300 characters." in page
    assert "The end of the timeframe cannot be before its start." in page
    rows = [f"pledge{pledge.id}|{name}" for name in ("status", "title", "timeframe_end", "scope")]
    client.post(_accept_url(page), data={"csrf_token": csrf_token(client), "accept": rows})
    saved = _reloaded(session, pledge)
    assert saved.scope == "Five provinces, then the whole country"
    assert (saved.status, saved.title) == (CommitmentStatus.pledged, "Migrant resource centres in provinces of origin")
    # a row pointing at another country's pledge is refused, not saved
    page = _preview(client, _edit(data, {(pledge.reference, "title"): "Taken over"},
                                  pledge_id={pledge.reference: other.id}))  # fmt: skip
    assert "is not one of the pledges of Philippines" in page
    assert "0 changed" in page
    assert _reloaded(session, other).title == "Migrant resource centres in provinces of origin"


def test_another_countrys_pledges_are_not_found_and_its_file_refused(client: TestClient, session: Session) -> None:
    make_commitment(session, country="THA")
    make_commitment(session, country="PHL")
    secretariat = make_user(session, role=Role.secretariat)
    sign_in(client, secretariat)
    assert "/countries/THA/pledges/offline" in client.get("/commitments?country=THA").text
    thai = _download(client, "THA")
    sheet = load_workbook(io.BytesIO(thai))[pledges.SHEET]
    assert sheet.cell(row=pledges.FIRST_ROW, column=COLUMNS["title"]).protection.locked  # the secretariat reads
    focal = focal_point(session)
    sign_in(client, focal)
    assert client.get("/countries/THA/pledges/offline").status_code == 404
    assert client.get("/countries/THA/pledges/offline/pledges.xlsx").status_code == 404
    assert _upload(client, _download(client), "THA").status_code == 404  # type: ignore[attr-defined]
    refused = _upload(client, thai)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "This file holds the pledges of THA, not of PHL." in refused.text  # type: ignore[attr-defined]
    assert _upload(client, b"not a workbook", name="pledges.docx").status_code == 422  # type: ignore[attr-defined]


def test_a_pledges_workbook_saved_by_libreoffice_round_trips(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    focal = focal_point(session)
    pledge = make_commitment(session, user=focal)
    sign_in(client, focal)
    resaved = libreoffice_resave(_download(client), "xlsx", tmp_path)
    page = _preview(client, _edit(resaved, {(pledge.reference, "title"): "After LibreOffice"}))
    assert "1 changed, 0 in conflict, 0 refused" in page, page
    client.post(_accept_url(page), data={"csrf_token": csrf_token(client), "accept": f"pledge{pledge.id}|title"})
    assert _reloaded(session, pledge).title == "After LibreOffice"


def test_the_pledges_workbook_is_in_the_readers_language(client: TestClient, session: Session) -> None:
    focal = focal_point(session)
    pledge = make_commitment(session, user=focal)
    sign_in(client, focal)
    response = client.get("/countries/PHL/pledges/offline/pledges.xlsx?lang=fr")
    sheet = load_workbook(io.BytesIO(response.content))[pledges.SHEET]
    assert sheet.cell(row=pledges.FIRST_ROW - 1, column=COLUMNS["status"]).value == "Statut"
    assert sheet.cell(row=pledges.FIRST_ROW, column=COLUMNS["status"]).value == "Annoncé"
    page = _preview(client, _edit(response.content, {(pledge.reference, "status"): "En cours"}))
    client.post(_accept_url(page), data={"csrf_token": csrf_token(client), "accept": f"pledge{pledge.id}|status"})
    assert _reloaded(session, pledge).status is CommitmentStatus.in_progress
