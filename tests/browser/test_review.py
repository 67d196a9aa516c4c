"""The review flow in a real browser: request changes on two objectives with a comment thread on each, the focal
point edits only those and answers, resubmits; the reviewer sees what changed, cannot approve while a thread is
open, resolves them, approves and publishes, and a preparer then reads it (without the threads)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from app.auth.models import Role
from app.submissions import queries
from app.submissions import service as submissions
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import complete_submission, make_cycle, make_submission, make_user


def assert_accessible(page: Page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    assert violations == [], (page.url, violations)


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
        focal_email, submission_id, cycle_id = focal.email, submission.id, cycle.id
    base = live.url
    url = f"{base}/submissions/{submission_id}"

    sign_in(page, base, reviewer)
    page.goto(f"{base}/review?cycle={cycle_id}")  # other tests on this server may have opened newer cycles
    page.get_by_role("link", name="Malaysia").click()
    page.get_by_label("Reason for requesting changes (required)").fill("Please add 2024 figures.")
    page.get_by_label("Objective 5: Regular pathways").check()
    page.get_by_label("Objective 6: Recruitment and decent work").check()
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_role("status")).to_contain_text("Changes requested")
    for number in (5, 6):
        panel = page.locator(f"#threads-objective-{number}")
        panel.get_by_text(f"Open a comment thread on Objective {number}").click()
        panel.get_by_label(f"First comment on Objective {number}").fill(f"Which source for objective {number}?")
        panel.get_by_role("button", name="Open thread").click()
        expect(page.locator(f"#threads-objective-{number} .thread")).to_contain_text(
            f"Which source for objective {number}?"
        )

    focal_page = browser.new_context().new_page()
    sign_in(focal_page, base, focal_email)
    expect(focal_page.locator("[data-unread-count]")).to_have_text("3 unread")  # the decision and two threads
    focal_page.goto(url)
    expect(focal_page.get_by_role("heading", name="The secretariat asked for changes")).to_be_visible()
    expect(focal_page.get_by_text("Please add 2024 figures.").first).to_be_visible()
    focal_page.goto(f"{url}/objectives/7")
    expect(focal_page.locator("textarea")).to_have_count(0)
    for number in (5, 6):
        focal_page.goto(f"{url}/objectives/{number}")
        expect(focal_page.locator("#threads")).to_contain_text(f"Which source for objective {number}?")
        focal_page.locator("#narrative").fill(f"Figures for 2024 on objective {number}.")
        expect(focal_page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
        focal_page.get_by_label(f"Your answer on Objective {number}").fill("The 2024 labour force survey.")
        focal_page.get_by_role("button", name="Send answer").click()
        expect(focal_page.locator("#threads .thread__comments li")).to_have_count(2)
    assert_accessible(focal_page)  # the objective form with its answered thread
    focal_page.goto(f"{url}/check")
    focal_page.get_by_role("button", name="Submit for review").click()
    expect(focal_page.get_by_role("status")).to_contain_text("sent to the ESCAP secretariat")
    focal_page.context.close()

    page.goto(url)
    expect(page.locator("[data-unread-count]")).to_be_visible()  # the answers and the resubmission
    changed = page.locator("#check-objective-5 .changes")
    expect(changed).to_contain_text("Changed since your last review")
    expect(changed).to_contain_text("2024")
    expect(changed.locator("ins").first).to_be_visible()
    assert_accessible(page)  # the review page with its threads and differences
    page.get_by_role("link", name="Approve…").click()
    expect(page.get_by_text("2 comment thread(s) are still open")).to_be_visible()
    page.get_by_role("button", name="Confirm: approve the review").click()
    expect(page.get_by_role("alert")).to_contain_text("2 comment thread(s) are still open")
    page.goto(url)
    for number in (5, 6):
        page.get_by_role("button", name=f"Resolve the thread on Objective {number}").click()
        expect(page.get_by_role("button", name=f"Reopen the thread on Objective {number}")).to_be_visible()
    page.get_by_role("link", name="Approve…").click()
    page.get_by_role("button", name="Confirm: approve the review").click()
    expect(page.get_by_role("status")).to_contain_text("approved")
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("button", name="Confirm: publish the review").click()
    expect(page.get_by_role("status")).to_contain_text("published")

    page.goto(base + "/notifications")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("[data-unread-count]")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, base, preparer)
    page.goto(f"{url}/objectives/5")
    expect(page.get_by_text("Figures for 2024 on objective 5.")).to_be_visible()
    expect(page.get_by_text("Which source for objective 5?")).to_have_count(0)
