"""A focal point enters indicator values row by row in a real browser; typed markup stays inert."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.auth.models import Role
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_user

MARKUP = '<script>window.xssRan = 1</script><img src=x onerror="window.xssRan = 2">'


def test_value_row_saves_in_place_and_markup_is_inert(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        email = make_user(session, role=Role.focal_point, country="BGD").email
    page.goto(live.url + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live.url + "/my/indicators/10.7.3")
    new_row = page.locator("tr.value-row--new")
    new_row.locator("input[name=period]").fill("2023")
    new_row.locator("input[name=value]").fill("abc")
    new_row.locator("input[name=source]").fill(MARKUP)
    new_row.locator("textarea[name=note]").fill(MARKUP)
    new_row.get_by_role("button", name="Add").click()
    expect(page.locator("tr.value-row--error")).to_contain_text("number")  # the error beside the cell
    expect(page.locator("tr.value-row--error input[name=source]")).to_have_value(MARKUP)  # input kept
    page.locator("tr.value-row--error input[name=value]").fill("1 234")
    page.locator("tr.value-row--error").get_by_role("button", name="Add").click()
    expect(page.get_by_text("Saved at").first).to_be_visible()
    page.reload()
    saved_row = page.locator("tr.value-row:not(.value-row--new)").first
    expect(saved_row.locator("input[name=value]")).to_have_value(re.compile(r"^1[ ,]?234(\.0)?$"))
    expect(saved_row.locator("input[name=source]")).to_have_value(MARKUP)
    assert page.evaluate("window.xssRan") is None
    assert page.locator("main img").count() == 0
    with live.db() as session:
        secretariat = make_user(session, role=Role.secretariat).email
    page.context.clear_cookies()
    page.goto(live.url + "/login")
    page.get_by_label("E-mail address").fill(secretariat)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live.url + "/indicators/10.7.3/countries/BGD")
    expect(page.locator("main")).to_contain_text("<script>window.xssRan = 1</script>")
    assert page.evaluate("window.xssRan") is None
    assert page.locator("main img").count() == 0
