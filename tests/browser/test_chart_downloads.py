"""A dashboard chart downloaded as PNG (drawn from its SVG by charts.js, with the keyboard) and as CSV.

Countries of this module: PNG and SLB (no other browser test module uses them).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.indicators.helpers import make_value

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The texts of the page's charts that the browser lays out beyond their image's viewBox (a clipped label).
CLIPPED_TEXTS = """() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll("text")].filter(t => {
    const b = t.getBBox();
    return b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
      || b.y + b.height > box.y + box.height + 0.5;
  }).map(t => t.textContent);
})"""


def test_a_chart_downloads_as_png_and_csv(page: Page, live: LiveServer, tmp_path: Path) -> None:
    with live.db() as session:
        for period, cost in (("2019", 7.5), ("2020", 6.8), ("2021", 6.0)):
            make_value(session, code="10.c.1", country="PNG", period=period, value=cost)
            make_value(session, code="10.c.1", country="SLB", period=period, value=cost + 2)
    page.goto(f"{live.url}/dashboards/indicators?indicator=10.c.1")
    downloads = page.locator(".chart-downloads").filter(has=page.locator('[data-filename="indicator-trend.png"]'))
    png_button = downloads.get_by_role("button", name="PNG (picture)")
    expect(png_button).to_be_visible()  # shown once charts.js runs

    assert page.locator("svg.chart text").count() > 100  # the bars, the trend and the map
    clipped = page.evaluate(CLIPPED_TEXTS)
    assert clipped == [], clipped  # every text of every chart lies inside its image

    png_button.focus()
    with page.expect_download() as png_info:
        page.keyboard.press("Enter")
    png = png_info.value
    assert png.suggested_filename == "indicator-trend.png"
    data = Path(png.path()).read_bytes()
    assert data[:8] == PNG_SIGNATURE and len(data) > 5000  # a drawn chart, not an empty canvas

    with page.expect_download() as csv_info:
        downloads.get_by_role("link", name="CSV (data)").click()
    table = csv_info.value
    assert table.suggested_filename == "indicator-trend.csv"
    lines = Path(table.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Period,Region,") and "Target: 3" in lines[0]
    assert [line.split(",")[0] for line in lines[1:]][-3:] == ["2019", "2020", "2021"]

    for language in ("en", "zh", "ru"):  # long labels: objectives' and principles' names, wide and long scripts
        page.goto(f"{live.url}/dashboards?lang={language}")
        assert page.locator("svg.chart text").count() > 50
        clipped = page.evaluate(CLIPPED_TEXTS)
        assert clipped == [], (language, clipped)
