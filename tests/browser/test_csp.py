"""htmx swaps under the Content-Security-Policy: the indicator grid and search swap without a CSP violation (htmx's
own indicator <style> is turned off by the htmx-config meta; the .htmx-indicator rules are in app.css).
Countries used here and nowhere else: MMR (the grid), AFG and IRN (search)."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page, expect

from app.auth.models import Role
from app.submissions.models import SubmissionStatus
from tests.browser.conftest import LiveServer
from tests.dashboards.helpers import submission_with_status
from tests.factories import PASSWORD, make_cycle, make_user

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def watch(page: Page) -> list[str]:
    """Console errors and page errors; CSP violations are recorded in the page as window.cspViolations."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def violations(page: Page, errors: list[str]) -> list[str]:
    return [*page.evaluate("window.cspViolations"), *(e for e in errors if "Content Security Policy" in e)]


def unexpected(errors: list[str]) -> list[str]:
    """Console errors other than the browser's note of a 4xx answer (a form with errors is swapped in with 422)."""
    return [e for e in errors if not e.startswith("Failed to load resource: the server responded with a status of 4")]


def test_htmx_uses_the_stylesheets_indicator_rules(page: Page, live: LiveServer) -> None:
    errors = watch(page)
    page.goto(live.url + "/search")
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("head style").count() == 0  # no inline <style> (the CSP would block it)
    idle, busy = page.evaluate(
        """(() => {
          const s = document.createElement("span"); s.className = "htmx-indicator"; document.body.appendChild(s);
          const style = getComputedStyle(s), idle = [style.opacity, style.visibility];
          s.classList.add("htmx-request"); const busy = [style.opacity, style.visibility]; s.remove();
          return [idle, busy];
        })()"""
    )
    assert idle == ["0", "hidden"] and busy[1] == "visible"  # busy's opacity is on its way to 1 (transition)
    assert violations(page, errors) == []


def test_indicator_grid_swaps_without_csp_violations(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        email = make_user(session, role=Role.focal_point, country="MMR").email
    errors = watch(page)
    page.goto(live.url + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live.url + "/my/indicators/10.7.3")
    new_row = page.locator("tr.value-row--new")
    new_row.locator("input[name=period]").fill("2021")
    new_row.locator("input[name=value]").fill("not a number")
    new_row.get_by_role("button", name="Add").click()
    expect(page.locator("tr.value-row--error")).to_be_visible()  # a swap with the error
    page.locator("tr.value-row--error input[name=value]").fill("12")
    page.locator("tr.value-row--error input[name=source]").fill("Census")
    page.locator("tr.value-row--error").get_by_role("button", name="Add").click()
    expect(page.get_by_text("Saved at").first).to_be_visible()  # a swap with the saved row
    assert violations(page, errors) == []
    assert unexpected(errors) == []


def test_search_swaps_without_csp_violations(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        cycle = make_cycle(session)
        submission_with_status(session, "AFG", SubmissionStatus.published, cycle=cycle, text="quokka")
        submission_with_status(session, "IRN", SubmissionStatus.published, cycle=cycle, text="quokka")
    errors = watch(page)
    page.goto(live.url + "/search")
    page.get_by_label("Words to find").fill("quokka")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".search-results mark").first).to_have_text("quokka")
    page.get_by_label("Subregion", exact=True).select_option(label="South-East Asia")
    expect(page.locator(".search-results")).not_to_contain_text("Afghanistan")
    page.go_back()  # htmx restores the previous results from its history cache
    expect(page.locator(".search-results")).to_contain_text("Afghanistan")
    page.goto(live.url + "/dashboards")
    page.get_by_label("Subregion", exact=True).select_option(label="South-East Asia")
    expect(page).to_have_url(re.compile(r"subregion=2"))
    page.wait_for_load_state("networkidle")
    assert violations(page, errors) == []
    assert unexpected(errors) == []
