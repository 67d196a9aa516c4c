"""A focal point writes the review in a real browser: autosave, reload, completeness, submit; typed markup is inert."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, Route, expect

from app.auth.models import Role
from app.submissions import queries
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import complete_submission, make_cycle, make_submission, make_user, set_answers

_countries = itertools.cycle(["KHM", "LAO", "MNG", "NPL", "FJI", "WSM", "TON", "VUT"])


@pytest.fixture
def focal_point(live: LiveServer) -> tuple[str, int]:
    """A focal point with a draft in the open cycle: all complete except objectives 1-2 and one section."""
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        user = make_user(session, role=Role.focal_point, country=next(_countries))
        submission = make_submission(session, focal_point=user, cycle=cycle)
        complete_submission(session, submission)
        for number in (1, 2):
            set_answers(session, submission, f"objective:{number}", {"progress_rating": None, "narrative": None})
        set_answers(session, submission, "section:next_steps", {"next_steps": None})
        return user.email, submission.id


def write_objective(page: Page, base: str, submission_id: int, number: int, text: str) -> None:
    page.goto(f"{base}/submissions/{submission_id}/objectives/{number}")
    page.get_by_label("Under way").check()
    page.locator("#narrative").fill(text)
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)


def test_focal_point_writes_reloads_and_submits(page: Page, live: LiveServer, focal_point: tuple[str, int]) -> None:
    email, submission_id = focal_point
    base = live.url
    sign_in(page, base, email)
    page.goto(base + "/my")
    expect(page.get_by_text("24 of 27 parts complete")).to_be_visible()

    write_objective(page, base, submission_id, 1, "A national migration data strategy was adopted in 2023.")
    write_objective(page, base, submission_id, 2, "Climate adaptation programmes reach coastal districts.")
    page.reload()
    expect(page.locator("#narrative")).to_have_value("Climate adaptation programmes reach coastal districts.")
    page.goto(f"{base}/submissions/{submission_id}/objectives/1")
    expect(page.locator("#narrative")).to_have_value("A national migration data strategy was adopted in 2023.")
    expect(page.get_by_label("Under way")).to_be_checked()

    page.goto(f"{base}/submissions/{submission_id}")
    page.get_by_role("link", name="Check your answers and submit").click()
    page.get_by_role("button", name="Submit for review").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("1 part is incomplete")
    expect(alert).to_contain_text("Next steps: Next steps")

    page.goto(f"{base}/submissions/{submission_id}")
    page.locator("#check-section-next_steps a").click()
    page.locator("#next_steps").fill("A national implementation plan by 2027.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    page.goto(f"{base}/submissions/{submission_id}/check")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("Your review has been sent to the ESCAP secretariat")
    expect(page.locator(".status").first).to_have_text("Submitted")
    expect(page.get_by_role("heading", name="Decisions on record")).to_be_visible()


MARKUP = '<script>window.xssRan = 1</script><img src=x onerror="window.xssRan = 2">'


def test_typed_markup_is_shown_as_text_everywhere(page: Page, live: LiveServer, focal_point: tuple[str, int]) -> None:
    email, submission_id = focal_point
    base = live.url
    sign_in(page, base, email)
    page.goto(f"{base}/submissions/{submission_id}/objectives/1")
    page.get_by_label("Under way").check()
    for textarea in page.locator("form[data-autosave] textarea:visible").all():
        textarea.fill(MARKUP)
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    page.goto(f"{base}/submissions/{submission_id}/sections/preparation")
    page.locator("#preparation").fill(MARKUP)
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)

    with live.db() as session:  # submitted: the pages now show the text read-only, rendered
        submission = queries.get_submission(session, submission_id)
        assert submission is not None
        complete_submission(session, submission)
        for section in submission.sections:
            set_answers(session, submission, f"section:{section.key}", {section.key: MARKUP})
        for report in submission.objective_reports:
            part = f"objective:{report.objective.number}"
            set_answers(session, submission, part, {"progress_rating": 2, "challenges": MARKUP})
        submission.status = submission.status.__class__("submitted")
    for path in ("/sections/preparation", "/objectives/1", "/objectives/1/history", "/sections/preparation/history"):
        page.goto(f"{base}/submissions/{submission_id}{path}")
        expect(page.locator("main")).to_contain_text("<script>window.xssRan")
        expect(page.locator("main")).to_contain_text('onerror="window.xssRan = 2">')
        assert page.evaluate("window.xssRan") is None
        assert page.locator("main img").count() == 0


def test_lost_connection_retries_and_loses_nothing(page: Page, live: LiveServer, focal_point: tuple[str, int]) -> None:
    email, submission_id = focal_point
    sign_in(page, live.url, email)
    url = f"{live.url}/submissions/{submission_id}/sections/next_steps"
    page.goto(url)
    page.context.set_offline(True)
    page.locator("#next_steps").fill("Typed while the connection was down.")
    expect(page.locator("#save-status")).to_contain_text("Not saved — no connection", timeout=10_000)
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=20_000)
    page.reload()
    expect(page.locator("#next_steps")).to_have_value("Typed while the connection was down.")


def test_unsaved_text_is_offered_back_after_a_reload(
    page: Page, live: LiveServer, focal_point: tuple[str, int]
) -> None:
    email, submission_id = focal_point
    sign_in(page, live.url, email)
    url = f"{live.url}/submissions/{submission_id}/sections/next_steps"
    page.goto(url)

    def drop_saves(route: Route) -> None:
        if route.request.method == "POST":
            route.abort()
        else:
            route.continue_()

    page.route(url, drop_saves)  # saves are lost on the way, as on a flaky connection
    page.locator("#next_steps").fill("Not yet on the server.")
    expect(page.locator("#save-status")).to_contain_text("Not saved", timeout=10_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the "leave the page?" warning
    page.evaluate("window.location.reload()")
    page.wait_for_load_state()
    expect(page.locator("#next_steps")).to_have_value("")
    page.unroute(url)
    page.get_by_role("button", name="Restore my unsaved text").click()
    expect(page.locator("#next_steps")).to_have_value("Not yet on the server.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)


def test_two_editors_of_one_report_merge_instead_of_overwriting(
    page: Page, live: LiveServer, focal_point: tuple[str, int]
) -> None:
    email, submission_id = focal_point
    with live.db() as session:
        submission = queries.get_submission(session, submission_id)
        assert submission is not None
        colleague = make_user(session, role=Role.focal_point, country=submission.country.iso3).email
    other = page.context.browser.new_context().new_page()
    sign_in(page, live.url, email)
    sign_in(other, live.url, colleague)
    url = f"{live.url}/submissions/{submission_id}/sections/next_steps"
    page.goto(url)
    other.goto(url)
    page.locator("#next_steps").fill("Mine: a plan by 2027.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    other.locator("#next_steps").fill("Colleague: consult civil society first.")
    expect(other.get_by_role("heading", name="Someone else saved this part while you were editing")).to_be_visible(
        timeout=10_000
    )
    expect(other.locator("[data-theirs-for=next_steps]")).to_have_text("Mine: a plan by 2027.")
    expect(other.locator("#next_steps")).to_have_value("Colleague: consult civil society first.")
    other.locator("#next_steps").fill("Mine: a plan by 2027. Colleague: consult civil society first.")
    other.get_by_role("button", name="Save", exact=True).click()
    expect(other.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    page.reload()
    expect(page.locator("#next_steps")).to_have_value("Mine: a plan by 2027. Colleague: consult civil society first.")
    other.context.close()
