"""The review as an Excel workbook: the same round trip as the Word document (one upload path), edited with
openpyxl; choices as validation lists, locked cells for parts not editable now."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.offline import excel
from app.submissions.models import SubmissionStatus
from tests.factories import csrf_token, sign_in
from tests.offline.files import edit_xlsx
from tests.offline.test_docx import NARRATIVE, PREP, REPORTING, _accept_url, _download, _review, _upload, _values


def test_an_edited_workbook_is_previewed_and_accepted_with_its_refusals(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    data = _download(client, submission, "xlsx")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[excel.SHEET]
    assert sheet.protection.sheet
    assert any(v.type == "list" for v in sheet.data_validations.dataValidation)
    edited = edit_xlsx(data, {PREP: "Written in Excel.", REPORTING: "Perhaps", NARRATIVE: "Progress in Excel."})
    response = _upload(client, submission, edited, "review.xlsx")
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    preview = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "2 changed, 0 in conflict, 1 refused" in preview.text
    assert "“Perhaps” is not one of the choices." in preview.text
    ids = [f"{p}|{k}" for p, k in (PREP, REPORTING, NARRATIVE)]
    client.post(_accept_url(preview.text), data={"csrf_token": csrf_token(client), "accept": ids})
    assert _values(session, submission, PREP[0])[PREP[1]] == "Written in Excel."
    assert _values(session, submission, NARRATIVE[0])[NARRATIVE[1]] == "Progress in Excel."
    assert _values(session, submission, REPORTING[0])[REPORTING[1]] == "reported"


def test_a_submitted_review_has_its_answer_cells_locked(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    submission.status = SubmissionStatus.submitted
    session.flush()
    sign_in(client, focal)
    sheet = load_workbook(io.BytesIO(_download(client, submission, "xlsx")))[excel.SHEET]
    assert sheet.cell(row=excel.FIRST_ROW, column=excel.ANSWER_COLUMN).protection.locked
