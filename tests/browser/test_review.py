"""The review flow in a real browser: request changes on two objectives, edit only those, resubmit, approve,
publish, and a preparer then reads it."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from app.auth.models import Role
from app.submissions import queries
from app.submissions import service as submissions
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, complete_submission, make_cycle, make_submission, make_user


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_changes_requested_on_two_objectives_then_approved_and_published(
    page: Page, browser: Browser, live: LiveServer
) -> None:
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        focal = make_user(session, role=Role.focal_point, country="MYS")
        submission = make_submission(session, focal_point=focal, cycle=cycle)
        complete_submission(session, submission)
        submissions.submit(session, user=focal, submission=submission)
        reviewer = make_user(session, role=Role.secretariat).email
        preparer = make_user(session, role=Role.preparer).email
        focal_email, submission_id = focal.email, submission.id
    base = live.url
    url = f"{base}/submissions/{submission_id}"

    sign_in(page, base, reviewer)
    page.goto(base + "/review")
    page.get_by_role("link", name="Malaysia").click()
    page.get_by_label("Reason for requesting changes (required)").fill("Please add 2024 figures.")
    page.get_by_label("Objective 5: Regular pathways").check()
    page.get_by_label("Objective 6: Recruitment and decent work").check()
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_role("status")).to_contain_text("Changes requested")

    focal_page = browser.new_context().new_page()
    sign_in(focal_page, base, focal_email)
    focal_page.goto(url)
    expect(focal_page.get_by_role("heading", name="The secretariat asked for changes")).to_be_visible()
    expect(focal_page.get_by_text("Please add 2024 figures.").first).to_be_visible()
    focal_page.goto(f"{url}/objectives/7")
    expect(focal_page.locator("textarea")).to_have_count(0)
    for number in (5, 6):
        focal_page.goto(f"{url}/objectives/{number}")
        focal_page.get_by_label("Progress", exact=True).fill(f"Figures for 2024 on objective {number}.")
        expect(focal_page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    focal_page.goto(url)
    focal_page.get_by_role("button", name="Submit for review").click()
    expect(focal_page.get_by_role("status")).to_contain_text("sent to the ESCAP secretariat")
    focal_page.context.close()

    page.goto(url)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("published")

    page.context.clear_cookies()
    sign_in(page, base, preparer)
    page.goto(f"{url}/objectives/5")
    expect(page.get_by_text("Figures for 2024 on objective 5.")).to_be_visible()
