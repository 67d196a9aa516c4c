"""A focal point records a pledge in a real browser: live counter, nothing lost on reload, progress via htmx."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from app.auth.models import Role
from app.auth.queries import get_user_by_email
from tests.browser.conftest import LiveServer, sign_in
from tests.commitments.helpers import DESCRIPTION, make_commitment
from tests.factories import make_user

_countries = itertools.cycle(["BTN", "MDV", "LKA", "PAK", "TLS", "PLW", "TUV", "NRU"])


@pytest.fixture
def focal_point_email(live: LiveServer) -> str:
    with live.db() as session:
        return make_user(session, role=Role.focal_point, country=next(_countries)).email


def test_counter_shows_the_limits_and_never_cuts_pasted_text(
    page: Page,
    live: LiveServer,
    focal_point_email: str,
) -> None:
    sign_in(page, live.url, focal_point_email)
    page.goto(live.url + "/commitments/new")
    description = page.get_by_label("Description")
    counter = page.locator("#description-count")
    expect(counter).to_have_text("0 characters: 300 more needed (at least 300).")
    expect(description).not_to_have_attribute("maxlength", "3000")  # lifted: the counter says what is too much
    description.fill("x" * 120)
    expect(counter).to_have_text("120 characters: 180 more needed (at least 300).")
    description.fill("x" * 2_990)
    expect(counter).to_have_text("2,990 characters (between 300 and 3,000): 10 left.")
    description.fill("x" * 3_004)
    expect(counter).to_have_text("3,004 characters: 4 too many (at most 3,000).")
    expect(description).to_have_value("x" * 3_004)


def test_focal_point_records_a_pledge_and_typed_text_survives_a_reload(
    page: Page,
    live: LiveServer,
    focal_point_email: str,
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page with unsaved text?"
    sign_in(page, live.url, focal_point_email)
    page.goto(live.url + "/commitments/new")
    page.get_by_label("Title").fill("Fair recruitment helpdesk")
    page.get_by_label("Description").fill(DESCRIPTION)
    page.locator("#main_objectives-4").check()  # objective 4 among the main ones
    page.reload()
    expect(page.get_by_label("Title")).to_have_value("")
    page.get_by_role("button", name="Restore my unsaved text").click()
    expect(page.get_by_label("Title")).to_have_value("Fair recruitment helpdesk")
    expect(page.get_by_label("Description")).to_have_value(DESCRIPTION)
    expect(page.locator("#main_objectives-4")).to_be_checked()

    page.locator("#forms-policy").check()
    page.locator("#scope_level").select_option("regional")
    page.get_by_label("Starts on").fill("2025-01-01")
    page.get_by_label("To be achieved by").fill("2026-12-31")
    page.get_by_role("button", name="Save the pledge").click()
    expect(page.get_by_text("The pledge was saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fair recruitment helpdesk")).to_be_visible()
    page.goto(live.url + "/commitments/new")
    expect(page.get_by_role("button", name="Restore my unsaved text")).to_be_hidden()  # the saved draft is gone


def test_progress_update_errors_appear_in_place(
    page: Page,
    live: LiveServer,
    focal_point_email: str,
) -> None:
    with live.db() as session:
        user = get_user_by_email(session, focal_point_email)
        assert user is not None
        pledge_id = make_commitment(session, user=user).id
    sign_in(page, live.url, focal_point_email)
    page.goto(f"{live.url}/commitments/{pledge_id}")
    page.get_by_role("button", name="Add the update").click()
    expect(page.locator("#progress-error")).to_contain_text("Describe the progress made.")
    expect(page.locator(".error-summary")).to_be_focused()
    page.locator("#progress").fill("Three of five centres are open.")
    page.get_by_label("Status of the pledge").select_option("in_progress")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_text("The progress update was added.")).to_be_visible()
    expect(page.locator(".progress-update")).to_contain_text("Three of five centres are open.")


MARKUP = '<script>window.xssRan = 1</script><img src=x onerror="window.xssRan = 2">'


def test_typed_markup_in_every_pledge_field_is_shown_as_text(
    page: Page, live: LiveServer, focal_point_email: str
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live.url, focal_point_email)
    page.goto(live.url + "/commitments/new")
    form = page.locator("main form").filter(has=page.get_by_label("Title"))
    for field in form.locator("textarea, input[type=text]").all():
        if field.is_visible():
            field.fill(MARKUP)
    page.get_by_label("Description").fill(MARKUP + " " + DESCRIPTION)
    page.locator("#matched_reference").fill("")  # only for matching pledges
    page.locator("#external_pledge_id").fill("")
    page.locator("#pledge_type").select_option("partnership")
    page.locator("#main_objectives-4").check()
    page.locator("#forms-policy").check()
    page.locator("#scope_level").select_option("regional")
    page.get_by_label("Starts on").fill("2025-01-01")
    page.get_by_label("To be achieved by").fill("2026-12-31")
    page.get_by_role("button", name="Save the pledge").click()
    expect(page.get_by_text("The pledge was saved.")).to_be_visible()
    detail_url = page.url
    page.locator("#progress").fill(MARKUP)
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_text("The progress update was added.")).to_be_visible()
    for url in (detail_url, live.url + "/commitments", detail_url + "/edit"):
        page.goto(url)
        expect(page.locator("main")).to_contain_text("<script>window.xssRan = 1</script>")
        assert page.evaluate("window.xssRan") is None
        assert page.locator("main img").count() == 0
