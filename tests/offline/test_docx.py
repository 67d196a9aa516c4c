"""The review as a Word document: downloaded, edited in code (python-docx), uploaded, previewed, accepted whole or
question by question; conflicts with answers changed online since the download; refused values, another country's
file, tracked changes; nothing written before accepting; the part's history names the upload."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.offline.models import OfflineUpload
from app.questionnaires import service as questionnaires
from app.submissions import queries, service
from app.submissions.models import Submission, SubmissionStatus
from tests.factories import csrf_token, edit_part, make_cycle, make_submission, make_user, set_answers, sign_in
from tests.offline.files import edit_docx, rewrite_docx_xml

PREP = ("section:preparation", "preparation")
REPORTING = ("objective:1", "reporting")
REASON = ("objective:1", "not_reported_reason")
NARRATIVE = ("objective:1", "narrative")


def _review(session: Session, country: str = "MNG") -> tuple[User, Submission]:
    focal = make_user(session, role=Role.focal_point, country=country)
    submission = make_submission(session, focal_point=focal, cycle=make_cycle(session))
    set_answers(session, submission, PREP[0], {PREP[1]: "The ministry of labour led the review."}, user=focal)
    return focal, submission


def _download(client: TestClient, submission: Submission, fmt: str = "docx") -> bytes:
    response = client.get(f"/submissions/{submission.id}/offline/review.{fmt}")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment")
    return response.content


def _upload(client: TestClient, submission: Submission, data: bytes, name: str = "review.docx") -> object:
    return client.post(
        f"/submissions/{submission.id}/offline/uploads",
        data={"csrf_token": csrf_token(client)},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _accept_url(page: str) -> str:
    found = re.search(r'action="([^"]*/accept)"', page)
    assert found, "no accept form"
    return found.group(1)


def _values(session: Session, submission: Submission, part: str) -> dict[str, object]:
    session.expire_all()
    loaded = queries.get_submission(session, submission.id)
    assert loaded is not None
    return service.part_values(loaded, part)


def test_an_edited_document_is_previewed_then_accepted_and_the_history_names_the_upload(
    client: TestClient, session: Session
) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    data = _download(client, submission)
    edited = edit_docx(data, {
        PREP: "The ministry of labour and the ministry of the interior led the review.\n\nMigrants were consulted.",
        NARRATIVE: "A new law on recruitment fees.",
    })  # fmt: skip
    response = _upload(client, submission, edited)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    preview = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert preview.status_code == 200
    assert "2 changed, 0 in conflict, 0 refused" in preview.text
    assert '<ins aria-label="added">and the ministry of the interior </ins>' in preview.text
    assert _values(session, submission, PREP[0])[PREP[1]] == "The ministry of labour led the review."  # not yet
    accept = _accept_url(preview.text)
    ids = [f"{PREP[0]}|{PREP[1]}", f"{NARRATIVE[0]}|{NARRATIVE[1]}"]
    done = client.post(accept, data={"csrf_token": csrf_token(client), "accept": ids}, follow_redirects=True)
    assert "2 answers saved from the file." in done.text
    assert "0 changed" in done.text
    assert _values(session, submission, PREP[0])[PREP[1]] == (
        "The ministry of labour and the ministry of the interior led the review.\n\nMigrants were consulted."
    )
    assert _values(session, submission, NARRATIVE[0])[NARRATIVE[1]] == "A new law on recruitment fees."
    history = client.get(f"/submissions/{submission.id}/sections/preparation/history")
    assert "from the uploaded file review.docx" in history.text


def test_a_conflict_shows_both_and_the_person_chooses_question_by_question(
    client: TestClient, session: Session
) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    data = _download(client, submission)
    record = service.find_part(submission, NARRATIVE[0])
    assert record is not None
    edit_part(session, focal, submission, PREP[0], preparation="Changed online by a colleague.")
    session.flush()
    edited = edit_docx(data, {PREP: "Written in the file.", NARRATIVE: "Also written in the file."})
    location = _upload(client, submission, edited).headers["location"]  # type: ignore[attr-defined]
    preview = client.get(location)
    assert "1 changed, 1 in conflict" in preview.text
    assert "Changed online by a colleague." in preview.text and "Written in the file." in preview.text
    accept = _accept_url(preview.text)
    prep_id, narrative_id = f"{PREP[0]}|{PREP[1]}", f"{NARRATIVE[0]}|{NARRATIVE[1]}"
    # the conflict alone, keeping the product's: nothing changes
    client.post(accept, data={"csrf_token": csrf_token(client), "only": prep_id, f"use:{prep_id}": "product"})
    assert _values(session, submission, PREP[0])[PREP[1]] == "Changed online by a colleague."
    # the change alone
    client.post(accept, data={"csrf_token": csrf_token(client), "only": narrative_id})
    assert _values(session, submission, NARRATIVE[0])[NARRATIVE[1]] == "Also written in the file."
    assert _values(session, submission, PREP[0])[PREP[1]] == "Changed online by a colleague."
    # then the conflict, taking the file's
    again = client.post(accept, data={"csrf_token": csrf_token(client), "only": prep_id, f"use:{prep_id}": "file"},
                        follow_redirects=True)  # fmt: skip
    assert "1 answer saved from the file." in again.text
    assert _values(session, submission, PREP[0])[PREP[1]] == "Written in the file."


def test_refused_values_are_named_and_never_block_the_others(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    edited = edit_docx(_download(client, submission), {
        REPORTING: "Perhaps",
        REASON: "x" * 1001,
        NARRATIVE: "Kept although others are refused.",
    })  # fmt: skip
    location = _upload(client, submission, edited).headers["location"]  # type: ignore[attr-defined]
    preview = client.get(location)
    assert "1 changed, 0 in conflict, 2 refused" in preview.text
    assert "“Perhaps” is not one of the choices." in preview.text
    assert "Shorten the text to 1,000 characters." in preview.text
    accept = _accept_url(preview.text)
    ids = [f"{p}|{k}" for p, k in (REPORTING, REASON, NARRATIVE)]
    client.post(accept, data={"csrf_token": csrf_token(client), "accept": ids})
    values = _values(session, submission, "objective:1")
    assert values["narrative"] == "Kept although others are refused."
    assert values.get("reporting") == "reported" and values.get("not_reported_reason") is None


def test_a_choice_from_the_list_is_taken(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    definition = service.definition_of(session, submission)
    question = definition.question(*REPORTING)
    assert question is not None
    label = question.choice_label("not_reported")
    edited = edit_docx(_download(client, submission), {REPORTING: label, REASON: "No data this cycle."})
    location = _upload(client, submission, edited).headers["location"]  # type: ignore[attr-defined]
    accept = _accept_url(client.get(location).text)
    client.post(accept, data={"csrf_token": csrf_token(client), "accept": [f"{REPORTING[0]}|{REPORTING[1]}",
                                                                           f"{REASON[0]}|{REASON[1]}"]})  # fmt: skip
    values = _values(session, submission, "objective:1")
    assert values["reporting"] == "not_reported" and values["not_reported_reason"] == "No data this cycle."


def test_a_submitted_review_downloads_read_only_and_its_changes_are_refused(
    client: TestClient, session: Session
) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    data = _download(client, submission)
    submission.status = SubmissionStatus.submitted
    session.flush()
    with zipfile.ZipFile(io.BytesIO(_download(client, submission))) as archive:
        assert b'w:val="sdtContentLocked"' in archive.read("word/document.xml")
    location = _upload(client, submission, edit_docx(data, {PREP: "Too late."})).headers["location"]  # type: ignore[attr-defined]
    preview = client.get(location)
    assert "0 changed, 0 in conflict, 1 refused" in preview.text
    assert "This part is not editable now" in preview.text


def test_a_file_of_another_country_or_with_tracked_changes_is_refused_and_nothing_is_kept(
    client: TestClient, session: Session
) -> None:
    focal, submission = _review(session)
    other_focal, other = _review(session, "NPL")
    sign_in(client, other_focal)
    theirs = _download(client, other)
    sign_in(client, focal)
    assert client.get(f"/submissions/{other.id}/offline/review.docx").status_code == 404
    assert client.get(f"/submissions/{other.id}/offline").status_code == 404
    refused = _upload(client, submission, theirs)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "This file is the review of NPL, not of MNG." in refused.text  # type: ignore[attr-defined]
    mine = _download(client, submission)
    tracked = rewrite_docx_xml(
        edit_docx(mine, {PREP: "Edited."}),
        lambda xml: xml.replace("<w:t>Edited.</w:t></w:r>", '<w:t>Edited.</w:t></w:r><w:ins w:id="9" w:author="A">'
                                '<w:r><w:t> More.</w:t></w:r></w:ins>', 1),
    )  # fmt: skip
    refused = _upload(client, submission, tracked)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "accept or reject the tracked changes, then upload again" in refused.text  # type: ignore[attr-defined]
    not_docx = _upload(client, submission, b"%PDF-1.7 not a document", "review.docx")
    assert not_docx.status_code == 422  # type: ignore[attr-defined]
    assert session.scalar(select(func.count()).select_from(OfflineUpload)) == 0
    assert _values(session, submission, PREP[0])[PREP[1]] == "The ministry of labour led the review."


def test_the_secretariat_downloads_any_review_but_uploads_nothing(client: TestClient, session: Session) -> None:
    _focal, submission = _review(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    data = _download(client, submission)
    assert data.startswith(b"PK")
    assert _upload(client, submission, data).status_code == 403  # type: ignore[attr-defined]
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "answer"))


def test_an_answer_changed_between_preview_and_accept_is_not_overwritten(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    edited = edit_docx(_download(client, submission), {PREP: "From the file."})
    preview = client.get(_upload(client, submission, edited).headers["location"])  # type: ignore[attr-defined]
    assert "1 changed" in preview.text
    version = re.search(r'name="version:section:preparation\|preparation" value="(\d+)"', preview.text)
    assert version is not None
    edit_part(session, focal, submission, PREP[0], preparation="Saved online after the preview.")
    session.flush()
    row = f"{PREP[0]}|{PREP[1]}"
    form = {"csrf_token": csrf_token(client), "only": row, f"version:{row}": version.group(1)}
    done = client.post(_accept_url(preview.text), data=form, follow_redirects=True)
    assert "0 answers saved from the file." in done.text and "1 was not saved" in done.text
    assert "1 in conflict" in done.text  # shown again, now as a conflict
    assert _values(session, submission, PREP[0])[PREP[1]] == "Saved online after the preview."


def test_comments_and_images_are_ignored_with_a_note(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    edited = edit_docx(_download(client, submission), {PREP: "With a comment."})
    with_extras = rewrite_docx_xml(
        edited,
        lambda xml: xml.replace("<w:t>With a comment.</w:t></w:r>", '<w:t>With a comment.</w:t></w:r>'
                                '<w:r><w:commentReference w:id="0"/></w:r><w:r><w:drawing/></w:r>', 1),
    )  # fmt: skip
    preview = client.get(_upload(client, submission, with_extras).headers["location"])  # type: ignore[attr-defined]
    assert "The document&#39;s comments were ignored." in preview.text
    assert "The document&#39;s images were ignored." in preview.text
    assert "1 changed" in preview.text


def test_a_file_of_an_older_questionnaire_version_or_another_cycle_is_refused(
    client: TestClient, session: Session
) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    data = _download(client, submission)
    later = make_submission(session, focal_point=focal, cycle=make_cycle(session))
    refused = _upload(client, later, data)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "This file is for another review cycle" in refused.text  # type: ignore[attr-defined]
    question = {"key": "budget", "type": "short_text", "label": {"en": "Budget"}}
    questionnaires.add_question(session, cycle=submission.review_cycle, part="section:preparation", question=question,
                                version=None)  # fmt: skip
    refused = _upload(client, submission, data)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "downloaded for version 0 of the questionnaire; it is now version 2" in refused.text  # type: ignore[attr-defined]


def test_the_download_is_in_the_readers_language(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    question = {"key": "budget", "type": "short_text", "label": {"en": "Budget", "fr": "Budget national alloué"}}
    questionnaires.add_question(session, cycle=submission.review_cycle, part="section:preparation", question=question,
                                version=None)  # fmt: skip
    sign_in(client, focal)
    response = client.get(f"/submissions/{submission.id}/offline/review.docx?lang=fr")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "Budget national alloué" in archive.read("word/document.xml").decode()
        assert "|fr</vt:lpwstr>" in archive.read("docProps/custom.xml").decode()


def test_a_file_over_the_size_limit_or_of_another_kind_is_refused() -> None:
    from app.offline import service as offline

    for name, data, limit, message in [
        ("review.docx", b"PK\x03\x04" + b"0" * 100, 50, "too large"),
        ("review.pdf", b"%PDF-1.7", 1000, "Word document (.docx) or an Excel workbook (.xlsx)"),
        ("review.xlsx", b"not a zip at all", 1000, "not a XLSX file"),
    ]:
        with pytest.raises(offline.UploadRefused, match=re.escape(message)):
            offline.check_file(name, data, limit=limit)


def test_a_cleared_control_showing_words_placeholder_is_an_empty_answer(client: TestClient, session: Session) -> None:
    focal, submission = _review(session)
    sign_in(client, focal)
    data = _download(client, submission)
    cleared = rewrite_docx_xml(  # what Word writes when the answer's text is deleted
        data,
        lambda xml: xml.replace(
            "<w:t xml:space=\"preserve\">The ministry of labour led the review.</w:t>",
            '<w:t xml:space="preserve">Click or tap here to enter text.</w:t>',
        ).replace("<w:alias w:val=\"How the review was prepared\"/>",
                 "<w:alias w:val=\"How the review was prepared\"/><w:showingPlcHdr/>", 1),
    )  # fmt: skip
    preview = client.get(_upload(client, submission, cleared).headers["location"])  # type: ignore[attr-defined]
    assert "1 changed" in preview.text and ">Click<" not in preview.text
    client.post(_accept_url(preview.text), data={"csrf_token": csrf_token(client), "accept": f"{PREP[0]}|{PREP[1]}"})
    assert _values(session, submission, PREP[0])[PREP[1]] is None  # cleared, not the placeholder's words
