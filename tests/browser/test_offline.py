"""Offline in a real browser: a focal point downloads the review as a Word document, it is edited (in code, as a
ministry would in Word), a colleague changes one of those answers online meanwhile, the upload previews one change
and one conflict, the focal point accepts them question by question (the conflict for the file's text), and the
part's history names the upload. Another State's focal point finds no such page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from app.auth.models import Role
from app.submissions import queries
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_accessibility import blocking_violations
from tests.factories import edit_part, make_cycle, make_submission, make_user, set_answers
from tests.offline.files import edit_docx

PREP = ("section:preparation", "preparation")
NARRATIVE = ("objective:1", "narrative")


def test_download_edit_upload_resolve_a_conflict_and_read_the_history(
    page: Page, live: LiveServer, tmp_path: Path
) -> None:
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        focal = make_user(session, role=Role.focal_point, country="JPN")
        submission = make_submission(session, focal_point=focal, cycle=cycle)
        set_answers(session, submission, PREP[0], {PREP[1]: "Drafted by the ministry of labour."}, user=focal)
        other = make_user(session, role=Role.focal_point, country="KOR").email
        email, submission_id = focal.email, submission.id
    base = live.url

    sign_in(page, base, email)
    page.goto(f"{base}/submissions/{submission_id}")
    page.get_by_role("link", name="Work offline: download the review for Word or Excel, upload it back").click()
    assert blocking_violations(page) == []  # the offline page
    with page.expect_download() as download:
        page.get_by_role("link", name="Word document (.docx)").click()
    data = Path(download.value.path()).read_bytes()

    with live.db() as session:  # a colleague edits online after the download
        loaded = queries.get_submission(session, submission_id)
        assert loaded is not None
        colleague = make_user(session, role=Role.focal_point, country="JPN")
        edit_part(session, colleague, loaded, PREP[0], preparation="Changed online by a colleague.")
    edited = edit_docx(data, {PREP: "Drafted with the ministry of the interior.", NARRATIVE: "Written offline."})
    page.get_by_label("File (.docx or .xlsx)").set_input_files(
        {"name": "review.docx", "mimeType": "application/octet-stream", "buffer": edited}
    )
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator("#offline-summary")).to_contain_text("1 changed, 1 in conflict, 0 refused")
    conflict = page.locator(f'[data-row="{PREP[0]}|{PREP[1]}"]')
    expect(conflict).to_contain_text("Changed online by a colleague.")
    expect(conflict).to_contain_text("Drafted with the ministry of the interior.")
    assert blocking_violations(page) == []  # the preview with a change and a conflict

    page.locator(f'[data-row="{NARRATIVE[0]}|{NARRATIVE[1]}"]').get_by_role("button", name="Accept this answer").click()
    expect(page.get_by_role("status").first).to_contain_text("1 answer saved from the file.")
    expect(page.locator("#offline-summary")).to_contain_text("0 changed, 1 in conflict")
    conflict.get_by_label("the file's answer").check()
    conflict.get_by_role("button", name="Accept this answer").click()
    expect(page.locator("#offline-summary")).to_contain_text("0 changed, 0 in conflict")

    page.goto(f"{base}/submissions/{submission_id}/sections/preparation/history")
    expect(page.locator(".history__entry").first).to_contain_text("from the uploaded file review.docx")
    expect(page.locator(".history__entry").first).to_contain_text("interior")

    page.context.clear_cookies()
    sign_in(page, base, other)
    response = page.goto(f"{base}/submissions/{submission_id}/offline")
    assert response is not None and response.status == 404
