"""Sign-in for each role in a real browser: the form, the home page, the account line and the role's navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.auth.models import Role
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_user

ALL_LINKS = ["My country's review", "Review queue", "Import", "Users", "Review cycles"]
# role: (the account line, the links of its navigation among ALL_LINKS, the link to its own home page, that page's h1,
#        the page signing in lands on and its h1)
ROLES = {
    Role.focal_point: ("National focal point · Uzbekistan", ["My country's review", "Import"], "My country's review",
                       "Voluntary GCM review of Uzbekistan", "/my", "Voluntary GCM review of Uzbekistan"),
    Role.secretariat: ("Secretariat reviewer", ["Review queue", "Import"], "Review queue", "Review queue", "/review",
                       "Review queue"),
    Role.preparer: ("Review-forum preparer", [], "Exports", "Exports", "/dashboards", "Regional overview"),
    Role.admin: ("Administrator", ["Review queue", "Import", "Users", "Review cycles"], "Users", "Users",
                 "/admin/users", "Users"),
}  # fmt: skip


@pytest.mark.parametrize("role", list(ROLES), ids=[r.value for r in ROLES])
def test_each_role_signs_in_through_the_form_and_sees_its_navigation(page: Page, live: LiveServer, role: Role) -> None:
    account, links, home_link, home_heading, start, start_heading = ROLES[role]
    with live.db() as session:
        user = make_user(session, role=role, country="UZB" if role is Role.focal_point else None)
        email, name = user.email, user.name
    page.goto(live.url + "/")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Sign in")).to_be_visible()

    navigation.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")

    expect(page).to_have_url(live.url + start)  # where the role's work starts, not the general home page
    expect(page.get_by_role("heading", level=1)).to_contain_text(start_heading)
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    expect(navigation).to_contain_text(name)
    expect(navigation).to_contain_text(account)
    for link in ALL_LINKS:
        expected = 1 if link in links else 0
        expect(navigation.get_by_role("link", name=link, exact=True)).to_have_count(expected)
    for link in ["Commitments", "Indicators", "Exports", "Notifications", "Dashboards", "Search"]:
        expect(navigation.get_by_role("link", name=link, exact=True)).to_have_count(1)

    navigation.get_by_role("link", name=home_link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(home_heading)
    expect(navigation.get_by_role("link", name=home_link, exact=True)).to_have_attribute("aria-current", "page")
