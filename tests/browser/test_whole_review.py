"""The whole review on one page and deciding with confidence, in a real browser: the focal point checks the answers
before submitting (a Change link back to a form, the refusal's error summary focused and in view); the reviewer
reads the whole review, marks parts with a reason each, is refused with the summary focused and in view, then
requests changes; publishing shows what becomes public and asks to confirm. axe stays clean on these pages.

Countries: NZL and AUS (no other browser test module uses them)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.auth.models import Role
from app.review import service as review
from app.submissions import queries
from app.submissions import service as submissions
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_review import assert_accessible
from tests.factories import complete_submission, make_cycle, make_submission, make_user, set_answers


def summary_focused_and_in_view(page: Page) -> None:
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()


def test_check_answers_then_submit_and_the_reviewer_marks_parts_from_the_whole_review(
    page: Page, live: LiveServer
) -> None:
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        focal = make_user(session, role=Role.focal_point, country="NZL")
        submission = make_submission(session, focal_point=focal, cycle=cycle)
        complete_submission(session, submission)
        set_answers(session, submission, "objective:4", {"narrative": "Identity documents for all by 2026."})
        set_answers(session, submission, "section:next_steps", {"next_steps": None})
        reviewer = make_user(session, role=Role.secretariat).email
        focal_email, submission_id = focal.email, submission.id
    base = live.url
    url = f"{base}/submissions/{submission_id}"

    sign_in(page, base, focal_email)
    page.goto(url)
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", name="Check your answers before submitting", level=1)).to_be_visible()
    expect(page.locator("#part-objective-4")).to_contain_text("Identity documents for all by 2026.")
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    summary_focused_and_in_view(page)
    expect(page.locator(".error-summary")).to_contain_text("1 part is incomplete")
    page.locator("#part-section-next_steps").get_by_role("link", name="Change").click()
    page.wait_for_load_state()  # the autosave script is running before typing
    page.locator("#next_steps").fill("A national implementation plan by 2027.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    expect(page.get_by_text("No other part is waiting for you.")).to_be_visible()
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.locator("#part-section-next_steps")).to_contain_text("A national implementation plan by 2027.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("Your review has been sent to the ESCAP secretariat")

    page.context.clear_cookies()
    sign_in(page, base, reviewer)
    page.goto(url)
    page.get_by_role("link", name="Read the whole review on one page").first.click()
    expect(page.get_by_role("heading", name="The whole review of New Zealand")).to_be_visible()
    expect(page.locator("#part-objective-4")).to_contain_text("Identity documents for all by 2026.")
    assert_accessible(page)
    part4, part9 = page.locator("#part-objective-4"), page.locator("#part-objective-9")
    part4.get_by_text("Open a comment thread on Objective 4").click()  # comments from the whole review
    part4.get_by_label("First comment on Objective 4").fill("Since which year?")
    part4.get_by_role("button", name="Open thread").click()
    expect(part4.locator(".thread")).to_contain_text("Since which year?")
    part4.get_by_label("Reopen this part for changes").check()
    part4.get_by_label("What to change in this part").fill("Which ministry issues them?")
    part9.get_by_label("Reopen this part for changes").check()
    page.get_by_role("button", name="Request changes to the marked parts").click()
    summary_focused_and_in_view(page)  # objective 9 has no reason of its own, and none for all was given
    expect(page.locator(".error-summary")).to_contain_text("Give the reason")
    expect(page.locator("#part-objective-4").get_by_label("What to change in this part")).to_have_value(
        "Which ministry issues them?"
    )
    assert_accessible(page)  # the refused decision, its summary and messages
    page.locator("#part-objective-9").get_by_label("What to change in this part").fill("Add the 2024 figures.")
    page.get_by_role("button", name="Request changes to the marked parts").click()
    expect(page.get_by_role("status")).to_contain_text("Changes requested")

    page.context.clear_cookies()
    sign_in(page, base, focal_email)
    page.goto(base + "/my")
    expect(page.get_by_role("heading", name="Parts reopened for you to change")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Which ministry issues them?")
    expect(page.locator("main")).to_contain_text("Add the 2024 figures.")


def test_publishing_shows_what_becomes_public_and_asks_to_confirm(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        focal = make_user(session, role=Role.focal_point, country="AUS")
        submission = make_submission(session, focal_point=focal, cycle=cycle)
        complete_submission(session, submission)
        set_answers(session, submission, "objective:16", {"narrative": "Settlement services in every state."})
        submissions.submit(session, user=focal, submission=submission)
        user = make_user(session, role=Role.secretariat)
        review.approve(session, user=user, submission=submission, version=None)
        reviewer, submission_id = user.email, submission.id
    base = live.url
    sign_in(page, base, reviewer)
    page.goto(f"{base}/submissions/{submission_id}")
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", name="What becomes public")).to_be_visible()
    expect(page.locator(".publish-preview")).to_contain_text("Settlement services in every state.")
    expect(page.get_by_role("heading", name="What stays between the State and the secretariat")).to_be_visible()
    assert_accessible(page)
    with live.db() as session:
        still = queries.get_submission(session, submission_id)
        assert still is not None and still.status.value == "approved"  # nothing happened before confirming
    page.get_by_role("button", name="Confirm: publish the review").click()
    expect(page.get_by_role("status")).to_contain_text("published")
