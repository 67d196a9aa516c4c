"""The dashboards in a real browser: filters update the page with htmx, the URL carries them, back works."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.submissions.models import SubmissionStatus
from tests.browser.conftest import LiveServer
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_cycle
from tests.indicators.helpers import make_value


def test_overview_filters_update_the_page_and_the_url(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        cycle = make_cycle(session)
        submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle, text="Thai")
        submission_with_status(session, "CHN", SubmissionStatus.published, cycle=cycle, text="Chinese")
        cycle_id = cycle.id
    page.goto(f"{live.url}/dashboards?cycle={cycle_id}")
    heatmap = page.locator("table.heatmap")
    expect(heatmap).to_contain_text("CHN")
    page.get_by_label("Subregion", exact=True).select_option(label="South-East Asia")
    expect(page).to_have_url(re.compile(r"subregion=2"))
    expect(heatmap).not_to_contain_text("CHN")
    expect(heatmap).to_contain_text("THA")
    page.get_by_label("Round-table cluster", exact=True).select_option("1")
    expect(page).to_have_url(re.compile(r"subregion=2.*round_table=1|round_table=1.*subregion=2"))
    expect(page.locator("table.heatmap thead")).to_contain_text("12")  # RT1: objectives 2, 5, 6, 12, 18
    expect(page.locator("table.heatmap thead")).not_to_contain_text("23")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"round_table=1"))
    expect(page.locator("table.heatmap thead")).to_contain_text("23")


def test_indicator_explorer_filters_update_the_page_and_the_url(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        submission_with_status(session, "IDN", SubmissionStatus.published)
        make_value(session, code="UNDESA.MIGSTOCK", country="IDN", period="2020", value=300.0)
        make_value(session, code="UNDESA.MIGSTOCK", country="IDN", period="2020", value=120.0, sex="female")
    page.goto(f"{live.url}/dashboards/indicators")
    page.get_by_label("Indicator", exact=True).select_option("UNDESA.MIGSTOCK")
    expect(page).to_have_url(re.compile(r"indicator=UNDESA.MIGSTOCK"))
    expect(page.locator("#aggregate-summary")).to_contain_text("300")
    expect(page.locator("#aggregate-summary")).to_contain_text("of 58 countries reporting")
    page.get_by_label("Sex", exact=True).select_option("female")
    expect(page).to_have_url(re.compile(r"sex=female"))
    expect(page.locator("#aggregate-summary")).to_contain_text("120")
    expect(page.locator(".breakdown")).to_contain_text("Female")
    page.go_back()
    expect(page.locator("#aggregate-summary")).to_contain_text("300")


def test_objective_page_filters_update_the_page_and_the_url(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        older, newer = make_cycle(session), make_cycle(session)
        submission_with_status(session, "THA", SubmissionStatus.published, cycle=older, text="older Thai")
        submission_with_status(session, "CHN", SubmissionStatus.published, cycle=newer, text="newer Chinese")
        submission_with_status(session, "VNM", SubmissionStatus.published, cycle=newer, text="newer Vietnamese")
        older_id, newer_id = older.id, newer.id
    page.goto(f"{live.url}/dashboards/objectives/5?cycle={newer_id}")
    reports = page.locator("section[aria-labelledby='reports-h']")
    expect(reports).to_contain_text("newer Chinese")
    expect(reports).to_contain_text("newer Vietnamese")
    page.get_by_label("Subregion", exact=True).select_option(label="South-East Asia")
    expect(page).to_have_url(re.compile(r"subregion=2"))
    expect(reports).not_to_contain_text("newer Chinese")
    expect(reports).to_contain_text("newer Vietnamese")
    page.get_by_label("Review cycle", exact=True).select_option(str(older_id))
    expect(page).to_have_url(re.compile(rf"cycle={older_id}"))
    expect(page).to_have_url(re.compile(r"subregion=2"))
    expect(reports).to_contain_text("older Thai")
    expect(reports).not_to_contain_text("newer Vietnamese")
    page.go_back()
    expect(reports).to_contain_text("newer Vietnamese")


def test_search_highlights_matches_and_keeps_filters_in_the_url(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        cycle = make_cycle(session)
        submission_with_status(session, "KHM", SubmissionStatus.published, cycle=cycle, text="<b>axolotl</b>")
        submission_with_status(session, "MNG", SubmissionStatus.published, cycle=cycle, text="axolotl")
    page.goto(f"{live.url}/search")
    page.get_by_label("Words to find").fill("axolotl")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=axolotl"))
    expect(page.locator(".search-results mark").first).to_have_text("axolotl")
    expect(page.locator(".search-results")).to_contain_text("<b>axolotl</b>")  # typed markup shown as text
    page.get_by_label("Subregion", exact=True).select_option(label="South-East Asia")
    expect(page).to_have_url(re.compile(r"subregion=2"))
    expect(page.locator(".search-results")).not_to_contain_text("Mongolia")
    expect(page.locator(".search-results")).to_contain_text("Cambodia")


def test_dashboards_have_no_accessibility_violations(page: Page, live: LiveServer) -> None:
    from axe_playwright_python.sync_playwright import Axe

    with live.db() as session:
        cycle = make_cycle(session)
        submission_with_status(session, "FJI", SubmissionStatus.published, cycle=cycle, text="coconut")
        make_value(session, code="UNDESA.MIGSTOCK", country="FJI", period="2020", value=14.0)
        cycle_id = cycle.id
    axe = Axe()
    for path in [
        f"/dashboards?cycle={cycle_id}",
        "/dashboards/indicators?indicator=UNDESA.MIGSTOCK",
        "/dashboards/objectives/5",
        "/dashboards/countries/FJI",
        "/search?q=coconut",
    ]:
        page.goto(live.url + path)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
        assert violations == [], (path, violations)
