"""File questions: a focal point attaches a PDF, DOCX or XLSX within the question's size; anything else is refused
beside the field and nothing is stored; readers of the review download it; it is in the dump."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.questionnaires import service as questionnaires
from app.submissions import queries, service
from app.submissions.models import AnswerFile, Submission, SubmissionStatus
from tests.factories import csrf_token, make_cycle, make_submission, make_user, sign_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _with_file_question(session: Session) -> Submission:
    cycle = make_cycle(session)
    question = {"key": "plan", "type": "file", "label": {"en": "National implementation plan"}, "max_bytes": 2000}
    questionnaires.add_question(
        session, cycle=cycle, part="section:policy_environment", question=question, version=None
    )
    return make_submission(session, cycle=cycle)


def _attach(client: TestClient, submission: Submission, name: str, data: bytes, action: str = "attach") -> object:
    return client.post(
        f"/submissions/{submission.id}/files",
        data={"csrf_token": csrf_token(client), "part": "section:policy_environment", "key": "plan", "action": action},
        files={"upload": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AnswerFile)) or 0


def test_a_document_is_attached_downloaded_replaced_and_removed(client: TestClient, session: Session) -> None:
    submission = _with_file_question(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    page = client.get(f"/submissions/{submission.id}/sections/policy_environment")
    assert 'form="file-plan"' in page.text and 'id="file-plan"' in page.text
    assert _attach(client, submission, "plan.pdf", PDF).status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    value = service.part_values(queries.get_submission(session, submission.id), "section:policy_environment")["plan"]
    assert value["name"] == "plan.pdf" and value["size"] == len(PDF) and value["media_type"] == "application/pdf"
    page = client.get(f"/submissions/{submission.id}/sections/policy_environment")
    assert "plan.pdf" in page.text
    got = client.get(f"/submissions/{submission.id}/files/{value['file_id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf" and "attachment" in got.headers["content-disposition"]
    assert _attach(client, submission, "plan.docx", _docx()).status_code == 303  # type: ignore[attr-defined]
    assert _count(session) == 1  # the new one replaced the old
    assert client.get(f"/submissions/{submission.id}/files/{value['file_id']}").status_code == 404
    assert _attach(client, submission, "", b"", action="remove").status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    assert _count(session) == 0
    fresh = queries.get_submission(session, submission.id)
    assert service.part_values(fresh, "section:policy_environment")["plan"] is None  # cleared, history kept


def test_a_wrong_file_is_refused_beside_the_field_and_nothing_is_stored(client: TestClient, session: Session) -> None:
    submission = _with_file_question(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    for name, data, message in (
        ("plan.exe", b"MZ...", "Attach a PDF, a Word document (.docx) or an Excel workbook (.xlsx)."),
        ("plan.pdf", b"<html>not a pdf</html>", "The file&#39;s content is not a PDF file."),
        ("plan.docx", PDF, "The file&#39;s content is not a DOCX file."),
        ("plan.pdf", PDF + b" " * 2000, "The file is too large"),
        ("plan.pdf", b"", "Choose a file to attach."),
    ):
        response = _attach(client, submission, name, data)
        assert response.status_code == 422, name  # type: ignore[attr-defined]
        assert 'id="plan-error"' in response.text and message in response.text, name  # type: ignore[attr-defined]
    assert _count(session) == 0


def test_who_may_download_follows_who_may_read_the_review(client: TestClient, session: Session) -> None:
    submission = _with_file_question(session)
    owner = make_user(session, role=Role.focal_point, country="PHL")
    service.attach_file(
        session,
        user=owner,
        submission=submission,
        part="section:policy_environment",
        key="plan",
        name="p.pdf",
        data=PDF,
    )
    file_id = session.scalars(select(AnswerFile.id)).one()
    url = f"/submissions/{submission.id}/files/{file_id}"
    sign_in(client, make_user(session, role=Role.focal_point, country="THA"))
    assert client.get(url).status_code == 404  # another State's draft
    sign_in(client, make_user(session, role=Role.secretariat))
    assert client.get(url).status_code == 200
    sign_in(client, make_user(session, role=Role.preparer))
    assert client.get(url).status_code == 404  # a draft: not theirs to read
    submission.status = SubmissionStatus.published
    session.flush()
    assert client.get(url).status_code == 200
