"""An organisation takes part, in a real browser: it asks to join, the secretariat accepts it (a one-time password
link), its contact person sets a password, signs in and writes a contribution on two objectives (autosaved), submits;
the secretariat returns it with a reason, the organisation edits and submits again, the secretariat accepts it; it
then appears on the objective page under "Input from stakeholders" and in the synthesis' own section."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.exports import render
from app.exports.reports import build_synthesis
from app.submissions import queries
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_cycle, make_user

NEW_PASSWORD = "a quiet harbour at dawn"


def _sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_an_organisation_joins_contributes_and_is_published_after_moderation(page: Page, live: LiveServer) -> None:
    base = live.url
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session, status=CycleStatus.open)
        cycle_id = cycle.id
        staff = make_user(session, role=Role.secretariat).email

    # The organisation asks to take part.
    page.goto(base + "/organisations/join")
    page.get_by_label("Organisation").first.fill("Coastal Migrants Collective (browser)")
    page.get_by_label("Type of organisation").select_option("civil_society")
    page.get_by_label("Contact person").fill("Rosa Tan")
    page.get_by_label("E-mail address").fill("rosa.contributions@example.org")
    page.get_by_label("Why would your organisation like to take part?").fill("We support fishers who migrate.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("your request has been received")).to_be_visible()

    # The secretariat accepts it and gets a one-time password link.
    _sign_in(page, base, staff)
    page.goto(base + "/organisations/requests")
    page.get_by_role("link", name="Coastal Migrants Collective (browser)").click()
    page.get_by_role("button", name="Accept the request").click()
    link = page.locator("#password-link").input_value()
    assert re.search(r"/set-password/", link)

    # The contact person sets a password, signs in and starts the contribution from the organisation's page.
    page.context.clear_cookies()
    page.goto(link)
    page.locator("#new_password").fill(NEW_PASSWORD)
    page.locator("#confirm_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    _sign_in(page, base, "rosa.contributions@example.org", NEW_PASSWORD)
    page.goto(base + "/my/organisation")
    page.get_by_role("button", name="Start our contribution").click()
    expect(page.get_by_role("heading", name=re.compile("Contribution of"))).to_be_visible()
    contribution_url = page.url
    page.locator('input[name="objectives"][value="3"]').check()
    page.locator('input[name="objectives"][value="7"]').check()
    page.get_by_role("button", name="Save objectives and citation").click()

    page.get_by_role("link", name="About this contribution").click()
    page.wait_for_url("**/sections/about")  # the autosave script listens from DOMContentLoaded: type once it ran
    page.wait_for_load_state()
    page.locator("#about").fill("A collective of fishers' families; we met members in three harbours.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    for number, text in ((3, "Pre-departure briefings in harbours."), (7, "Legal aid for crews held at sea.")):
        page.goto(f"{contribution_url}/objectives/{number}")
        page.locator("#what_we_did").fill(text)
        expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    page.goto(contribution_url)
    page.get_by_role("button", name="Submit the contribution").click()
    expect(page.get_by_text("has been sent to the ESCAP secretariat")).to_be_visible()

    # The secretariat returns it with a reason.
    _sign_in(page, base, staff)
    page.goto(base + "/contributions?status=submitted")
    page.get_by_role("link", name="Coastal Migrants Collective (browser)").click()
    page.get_by_label(re.compile("Reason")).fill("Please say which harbours.")
    page.get_by_role("button", name="Return with the reason").click()
    expect(page.get_by_text("Returned for changes")).to_be_visible()

    # The organisation reads why, edits and submits again.
    _sign_in(page, base, "rosa.contributions@example.org", NEW_PASSWORD)
    page.goto(contribution_url)
    expect(page.get_by_text("Please say which harbours.").first).to_be_visible()
    page.goto(f"{contribution_url}/objectives/3")
    page.locator("#what_we_did").fill("Pre-departure briefings in the harbours of Cebu, Iloilo and Davao.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    page.goto(contribution_url)
    page.get_by_role("button", name="Submit the contribution").click()
    expect(page.get_by_text("has been sent to the ESCAP secretariat")).to_be_visible()

    # The secretariat accepts it; it is published on the objective page, labelled.
    _sign_in(page, base, staff)
    page.goto(contribution_url)
    page.get_by_role("button", name="Accept for publication").click()
    expect(page.get_by_text("Accepted for publication").first).to_be_visible()
    page.context.clear_cookies()
    page.goto(base + "/dashboards/objectives/3")
    section = page.locator("section.stakeholder-inputs")
    expect(section.get_by_role("heading", name="Input from stakeholders")).to_be_visible()
    expect(section).to_contain_text("Cebu, Iloilo and Davao")
    expect(section).to_contain_text("Coastal Migrants Collective (browser)")

    # The synthesis has a section of its own.
    with live.db() as session:
        from app.cycles.models import ReviewCycle

        html = render.to_html(build_synthesis(session, session.get(ReviewCycle, cycle_id)))  # type: ignore[arg-type]
    after = html.split("Inputs from stakeholders", 1)
    assert len(after) == 2 and "Cebu, Iloilo and Davao" in after[1] and "Legal aid for crews held at sea." in after[1]
