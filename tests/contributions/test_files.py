"""File questions of a stakeholder questionnaire: the organisation attaches, replaces and removes a PDF, DOCX or XLSX
(checked by app/files.py: type, content, size, zip bombs) beside the question; whoever may read the contribution's
answers downloads it, always as an attachment; the document is a database row, so the dump carries it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer
from starlette.testclient import TestClient

from app.auth.models import Role
from app.backup.service import dump, restore
from app.contributions import service
from app.contributions.models import Contribution, ContributionFile, ContributionStatus
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import create_db_engine
from app.migrate import upgrade
from app.questionnaires import service as questionnaires
from app.questionnaires.models import QuestionnaireKind
from app.seed import seed_reference_data
from tests.contributions.helpers import drafted, reload, secretariat, stakeholder
from tests.databases import BACKENDS, throwaway_database
from tests.factories import csrf_token, make_cycle, make_user, sign_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PART = "section:about"


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (5 * 1024 * 1024))
    return out.getvalue()


def _cycle_with_file_question(session: Session, max_bytes: int = 200_000) -> ReviewCycle:
    cycle = make_cycle(session)
    question = {"key": "report", "type": "file", "label": {"en": "Our consultation report"}, "max_bytes": max_bytes}
    questionnaires.add_question(
        session, cycle=cycle, part=PART, question=question, version=None, kind=QuestionnaireKind.stakeholders
    )
    return cycle


def _drafted_with_file_question(session: Session, max_bytes: int = 200_000) -> Contribution:
    contribution, _user = drafted(session, cycle=_cycle_with_file_question(session, max_bytes), objectives=(3,))
    return contribution


def _attach(client: TestClient, contribution: Contribution, name: str, data: bytes, action: str = "attach") -> object:
    return client.post(
        f"/contributions/{contribution.id}/files",
        data={"csrf_token": csrf_token(client), "part": PART, "key": "report", "action": action},
        files={"upload": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ContributionFile)) or 0


def test_a_document_is_attached_downloaded_replaced_and_removed(client: TestClient, session: Session) -> None:
    contribution = _drafted_with_file_question(session)
    owner = stakeholder(session, reload(session, contribution).organisation)
    sign_in(client, owner)
    page = client.get(f"/contributions/{contribution.id}/sections/about")
    assert page.status_code == 200
    assert 'form="file-report"' in page.text and 'id="file-report"' in page.text
    assert f'action="/contributions/{contribution.id}/files"' in page.text
    response = _attach(client, contribution, "report.pdf", PDF)
    assert response.status_code == 303  # type: ignore[attr-defined]
    value = service.part_values(reload(session, contribution), PART)["report"]
    assert value["name"] == "report.pdf" and value["size"] == len(PDF) and value["media_type"] == "application/pdf"
    page = client.get(f"/contributions/{contribution.id}/sections/about")
    assert f'href="/contributions/{contribution.id}/files/{value["file_id"]}"' in page.text
    got = client.get(f"/contributions/{contribution.id}/files/{value['file_id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert _attach(client, contribution, "report.docx", _docx()).status_code == 303  # type: ignore[attr-defined]
    assert _count(session) == 1  # the new one replaced the old
    assert client.get(f"/contributions/{contribution.id}/files/{value['file_id']}").status_code == 404
    assert _attach(client, contribution, "", b"", action="remove").status_code == 303  # type: ignore[attr-defined]
    assert _count(session) == 0
    assert service.part_values(reload(session, contribution), PART)["report"] is None  # cleared, history kept


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.exe", b"MZ...", "Attach a PDF, a Word document (.docx) or an Excel workbook (.xlsx)."),
        ("report.pdf", b"<html>not a pdf</html>", "The file&#39;s content is not a PDF file."),
        ("report.docx", PDF, "The file&#39;s content is not a DOCX file."),
        ("report.pdf", PDF + b" " * 200_000, "The file is too large"),
        ("report.pdf", b"", "Choose a file to attach."),
        ("report.docx", _bomb(), "The file expands to far more than its size"),
    ],
)
def test_a_wrong_file_is_refused_beside_the_field_and_nothing_is_stored(
    client: TestClient, session: Session, name: str, data: bytes, message: str
) -> None:
    contribution = _drafted_with_file_question(session)
    sign_in(client, stakeholder(session, reload(session, contribution).organisation))
    response = _attach(client, contribution, name, data)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert 'id="report-error"' in response.text and message in response.text  # type: ignore[attr-defined]
    assert _count(session) == 0
    assert "report" not in service.part_values(reload(session, contribution), PART)


def test_only_the_organisation_attaches_and_only_while_it_may_write(client: TestClient, session: Session) -> None:
    contribution = _drafted_with_file_question(session)
    sign_in(client, stakeholder(session))  # another organisation's user
    assert _attach(client, contribution, "report.pdf", PDF).status_code == 404  # type: ignore[attr-defined]
    sign_in(client, secretariat(session))
    assert _attach(client, contribution, "report.pdf", PDF).status_code == 403  # type: ignore[attr-defined]
    owner = stakeholder(session, reload(session, contribution).organisation)
    service.submit(session, user=owner, contribution=reload(session, contribution))
    sign_in(client, owner)
    assert _attach(client, contribution, "report.pdf", PDF).status_code == 409  # type: ignore[attr-defined]
    assert _count(session) == 0


def test_a_required_file_question_must_be_answered_before_submitting(session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)  # a required question is added before the cycle opens
    question = {"key": "report", "type": "file", "label": {"en": "Our consultation report"}, "required": True}
    questionnaires.add_question(
        session, cycle=cycle, part=PART, question=question, version=None, kind=QuestionnaireKind.stakeholders
    )
    cycle.status = CycleStatus.open
    session.flush()
    contribution, user = drafted(session, cycle=cycle, objectives=(3,))
    with pytest.raises(service.Incomplete, match="Our consultation report"):
        service.submit(session, user=user, contribution=contribution)
    service.attach_file(session, user=user, contribution=contribution, part=PART, key="report", name="r.pdf", data=PDF)
    service.submit(session, user=user, contribution=reload(session, contribution))
    assert reload(session, contribution).status is ContributionStatus.submitted


@pytest.mark.parametrize(
    ("reader", "draft", "accepted"),
    [
        ("visitor", 404, 200),
        ("own_stakeholder", 200, 200),
        ("other_stakeholder", 404, 200),
        ("focal_point", 404, 200),
        ("secretariat", 200, 200),
    ],
)
def test_who_may_download_follows_who_may_read_the_contribution(
    client: TestClient, session: Session, reader: str, draft: int, accepted: int
) -> None:
    contribution = _drafted_with_file_question(session)
    owner = stakeholder(session, reload(session, contribution).organisation)
    service.attach_file(session, user=owner, contribution=contribution, part=PART, key="report", name="r.pdf", data=PDF)
    file_id = session.scalars(select(ContributionFile.id)).one()
    url = f"/contributions/{contribution.id}/files/{file_id}"
    users = {
        "own_stakeholder": owner,
        "other_stakeholder": stakeholder(session),
        "focal_point": make_user(session, role=Role.focal_point, country="PHL"),
        "secretariat": secretariat(session),
    }
    if reader != "visitor":
        sign_in(client, users[reader])
    assert client.get(url).status_code == draft
    service.submit(session, user=owner, contribution=reload(session, contribution))
    service.moderate(
        session, user=secretariat(session), contribution=reload(session, contribution), action="accept", version=None
    )
    got = client.get(url)
    assert got.status_code == accepted and got.content == PDF
    detail = client.get(f"/contributions/{contribution.id}")
    assert f'href="{url}"' in detail.text and "r.pdf" in detail.text
    assert client.get(f"/contributions/{contribution.id}/files/{file_id + 1000}").status_code == 404


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_document_is_in_the_dump_and_restored_byte_for_byte(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path / "a") as source_url:
        upgrade("head", database_url=source_url)
        engine = create_db_engine(source_url)
        with Session(engine) as source:
            seed_reference_data(source)
            contribution = _drafted_with_file_question(source)
            owner = stakeholder(source, reload(source, contribution).organisation)
            service.attach_file(
                source, user=owner, contribution=contribution, part=PART, key="report", name="r.pdf", data=PDF
            )
            source.commit()
        with engine.connect() as connection:
            counts = dump(connection, tmp_path / "dump.jsonl.gz")
        engine.dispose()
    assert counts["contribution_file"] == 1 and counts["contribution_part"] >= 1
    with throwaway_database(backend, tmp_path / "b") as target_url:
        upgrade("head", database_url=target_url)
        engine = create_db_engine(target_url)
        with engine.begin() as connection:
            restore(connection, tmp_path / "dump.jsonl.gz")
        with Session(engine) as target:
            stored = target.scalars(select(ContributionFile).options(undefer(ContributionFile.content))).one()
            assert (stored.name, stored.content) == ("r.pdf", PDF)
        engine.dispose()
