"""Files opened and saved by a real third-party editor, LibreOffice (headless), then edited and uploaded: the
identifiers, the answer areas and the choices survive. Skipped without ``soffice`` unless
GCM_TEST_REQUIRE_LIBREOFFICE=1 (CI installs it)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from tests.factories import csrf_token, sign_in
from tests.offline.files import edit_docx, edit_xlsx, libreoffice_resave
from tests.offline.test_docx import NARRATIVE, PREP, REPORTING, _accept_url, _download, _review, _upload, _values


def _round_trip(client: TestClient, session: Session, tmp_path: Path, fmt: str) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    resaved = libreoffice_resave(_download(client, submission, fmt), fmt, tmp_path)
    edit = edit_docx if fmt == "docx" else edit_xlsx
    edited = edit(resaved, {PREP: f"Rewritten after {fmt} went through LibreOffice.", REPORTING: "Nope"})
    response = _upload(client, submission, edited, f"review.{fmt}")
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    preview = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "1 changed, 0 in conflict, 1 refused" in preview.text, preview.text  # every other answer read unchanged
    assert "questions were not found" not in preview.text
    ids = [f"{p}|{k}" for p, k in (PREP, REPORTING, NARRATIVE)]
    client.post(_accept_url(preview.text), data={"csrf_token": csrf_token(client), "accept": ids})
    assert _values(session, submission, PREP[0])[PREP[1]] == f"Rewritten after {fmt} went through LibreOffice."


def test_a_document_saved_by_libreoffice_round_trips(client: TestClient, session: Session, tmp_path: Path) -> None:
    _round_trip(client, session, tmp_path, "docx")


def test_a_workbook_saved_by_libreoffice_round_trips(client: TestClient, session: Session, tmp_path: Path) -> None:
    _round_trip(client, session, tmp_path, "xlsx")
