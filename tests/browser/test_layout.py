"""Layout on a phone: at 375 px wide no main page scrolls sideways, as each role that sees it; the menu collapses
behind a button that opens and closes with the keyboard without any script, and stays open on wide screens.

The data uses the countries MHL and FSM only: other browser tests must not use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect

from app.auth.models import Role
from app.submissions import queries
from app.submissions import service as submissions
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_accessibility import blocking_violations
from tests.factories import complete_submission, make_cycle, make_submission, make_user

PHONE = {"width": 375, "height": 740}

# (who is signed in, which page): home, the overview and objective dashboards, a review's objective form, the
# review queue, the users' list, sign-in and a part's history.
PAGES: list[tuple[str | None, str]] = [
    (None, "/"),
    (None, "/login"),
    (None, "/dashboards"),
    (None, "/dashboards/objectives/1"),
    ("focal_point", "/my"),
    ("focal_point", "/submissions/{draft}/objectives/1"),
    ("secretariat", "/"),
    ("secretariat", "/dashboards"),
    ("secretariat", "/dashboards/objectives/1"),
    ("secretariat", "/review"),
    ("secretariat", "/submissions/{submitted}"),
    ("secretariat", "/submissions/{submitted}/objectives/1"),
    ("secretariat", "/submissions/{submitted}/objectives/1/history"),
    ("admin", "/admin/users"),
]

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && getComputedStyle(e).position !== "absolute")
    .filter((e) => {  // not inside a box that scrolls on its own
      for (let a = e.parentElement; a; a = a.parentElement) {
        const root = a === document.body || a === document.documentElement;
        if (!root && getComputedStyle(a).overflowX !== "visible") return false;
      }
      return true;
    })
    .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : ""));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


@dataclass
class Fixtures:
    emails: dict[str, str]
    values: dict[str, object]


@pytest.fixture(scope="module")
def data(live: LiveServer) -> Fixtures:
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        focal = make_user(session, role=Role.focal_point, country="MHL")
        draft = make_submission(session, focal_point=focal, cycle=cycle)
        other = make_user(session, role=Role.focal_point, country="FSM")
        submitted = make_submission(session, focal_point=other, cycle=cycle)
        complete_submission(session, submitted)
        submissions.submit(session, user=other, submission=submitted)
        return Fixtures(
            emails={
                "focal_point": focal.email,
                "secretariat": make_user(session, role=Role.secretariat).email,
                "admin": make_user(session, role=Role.admin).email,
            },
            values={"draft": draft.id, "submitted": submitted.id},
        )


def test_no_main_page_scrolls_sideways_at_375_px(browser: Browser, live: LiveServer, data: Fixtures) -> None:
    problems = []
    for role in (None, "focal_point", "secretariat", "admin"):
        context = browser.new_context()
        page = context.new_page()
        if role is not None:  # on a wide screen (sign_in waits for the menu's "Sign out"), then the phone's width
            sign_in(page, live.url, data.emails[role])
        page.set_viewport_size(PHONE)
        for who, path in PAGES:
            if who != role:
                continue
            response = page.goto(live.url + path.format(**data.values))
            assert response is not None and response.status == 200, (path, response and response.status)
            measured = page.evaluate(OVERFLOW)
            if measured["scroll"] > measured["width"]:
                problems.append(f"{path} as {role}: {measured['scroll']} px wide, by {measured['wide']}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_menu_collapses_and_opens_by_keyboard_without_script(
    browser: Browser, live: LiveServer, data: Fixtures
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live.url + "/dashboards")
    menu = page.locator("summary", has_text="Menu")
    dashboards = page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards")
    expect(menu).to_be_visible()
    expect(dashboards).to_be_hidden()
    for _ in range(5):  # skip link, site title, then the menu's button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    expect(menu).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the menu's button shows where the focus is"
    page.keyboard.press("Enter")
    expect(dashboards).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    expect(dashboards).to_be_hidden()
    context.close()

    # With scripts, axe finds nothing serious on the phone layout, menu open; on a wide screen there is no
    # button and the links are in view.
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live.url, data.emails["admin"])
    page.set_viewport_size(PHONE)
    page.locator("summary", has_text="Menu").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Users")).to_be_visible()
    assert blocking_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    page.goto(live.url + "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Users")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    context.close()


def test_choice_controls_sit_beside_their_labels_with_a_focus_ring(
    browser: Browser, live: LiveServer, data: Fixtures
) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live.url, data.emails["focal_point"])
    page.set_viewport_size(PHONE)
    page.goto(f"{live.url}/submissions/{data.values['draft']}/objectives/1")
    radio = page.locator("label.choice input[type=radio]").first
    placed = radio.evaluate(
        """(input) => {
          const box = input.getBoundingClientRect(), label = input.closest("label").getBoundingClientRect();
          return {width: box.width, top: box.top - label.top, left: box.left - label.left, labelWidth: label.width};
        }"""
    )
    assert placed["width"] < 32, placed  # a box or circle, not stretched to the field's width
    assert abs(placed["top"]) < 8 and placed["left"] < 4, placed  # at the start of its label's first line
    assert placed["labelWidth"] > 100, placed  # the label's words run beside it
    radio.focus()
    page.keyboard.press("ArrowDown")  # a radio group is moved through with the arrows
    focused = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.type, s.outlineStyle, s.outlineWidth]; }"
    )
    assert focused[0] == "radio" and focused[1] not in ("", "none") and focused[2] != "0px", focused
    context.close()
