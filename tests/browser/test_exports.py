"""A preparer downloads an Excel export and generates the regional synthesis, watching its progress."""

from __future__ import annotations

import io

import docx
import openpyxl
from playwright.sync_api import Page, expect

from app.auth.models import Role
from app.submissions.models import SubmissionStatus
from tests.browser.conftest import LiveServer
from tests.exports.helpers import review
from tests.factories import PASSWORD, make_cycle, make_user

PRACTICE = "Pre-departure orientation reached every province of origin."


def test_preparer_downloads_xlsx_and_generates_the_synthesis(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        cycle = make_cycle(session)
        review(session, cycle, "PHL", SubmissionStatus.published, practice=PRACTICE, objective=6)
        review(session, cycle, "BGD", SubmissionStatus.draft)
        email = make_user(session, role=Role.preparer).email
        cycle_name = cycle.name
    page.goto(live.url + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="Exports", level=1)).to_be_visible()

    page.locator("#cycle").select_option(label=cycle_name)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Excel (XLSX)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    status = page.locator("[data-download-status]")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("Your download has started")  # after "Preparing your file…"
    workbook = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))  # the temporary file has no extension
    submissions = workbook["Submissions"]
    countries = [row[1].value for row in submissions.iter_rows(min_row=2)]
    assert countries == ["PHL"]  # the draft is never exported to a preparer

    page.locator("#report_cycle").select_option(label=cycle_name)
    page.get_by_label("Word (DOCX), editable").first.check()
    page.get_by_role("button", name="Generate the synthesis").click()
    live_region = page.locator(".job-live[aria-live=polite]")
    expect(live_region).to_be_visible()
    expect(live_region.locator("progress, a.button")).to_have_count(1)  # the progress bar, or already the link
    link = page.get_by_role("link", name="Download gcm-regional-synthesis")
    expect(link).to_be_visible(timeout=60_000)
    expect(live_region.locator("progress")).to_have_count(0)
    with page.expect_download() as info:
        link.click()
    report = docx.Document(io.BytesIO(info.value.path().read_bytes()))
    text = "\n".join(p.text for p in report.paragraphs)
    assert PRACTICE in text and "Philippines" in text
