"""Charts fit for a report and honest indicator headlines, over HTTP (issue 18, items 6 and 7).

Each chart's SVG carries its title, subtitle and source; bars are sorted and named by the objectives' short titles;
equal values are said in words; the trend chart draws the indicator's target; the tile map shows every member inside
the region; the explorer opens on the latest period with adequate coverage and warns when coverage is low.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.catalog.models import Country
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_cycle, make_user, set_answers, sign_in
from tests.indicators.helpers import make_value

SMALL_PACIFIC = ["NRU", "TUV", "NIU", "PLW", "COK", "MHL", "KIR", "TON", "WSM", "FSM"]


def _csv(response_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response_text.lstrip("\ufeff"))))


def _texts(svg: str, cls: str) -> list[str]:
    return re.findall(rf'<text[^>]*class="{cls}"[^>]*>([^<]*)</text>', svg)


def test_a_chart_carries_title_subtitle_and_source_sorted_bars_named_by_short_titles(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.approved, cycle=cycle)
    vnm = submission_with_status(session, "VNM", SubmissionStatus.approved, cycle=cycle)
    for n in (1, 2):  # reported by Thailand only
        set_answers(session, vnm, f"objective:{n}", {"reporting": "not_reported"})
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/dashboards?cycle={cycle.id}").text
    assert f'href="/dashboards/charts/overview-reported.svg?cycle={cycle.id}"' in page
    assert f'href="/dashboards/charts/overview-reported.csv?cycle={cycle.id}"' in page
    assert 'data-chart-png="/dashboards/charts/overview-reported.svg' in page

    svg = client.get(f"/dashboards/charts/overview-reported.svg?cycle={cycle.id}")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.headers["content-disposition"] == 'attachment; filename="overview-reported.svg"'
    assert svg.text.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg.text
    assert _texts(svg.text, "chart__title") == ["States reporting on each objective"]
    assert _texts(svg.text, "chart__subtitle") == [f"{cycle.name} · 2 of 58 States inside the region reporting"]
    assert _texts(svg.text, "chart__source")[0].startswith("Source: ESCAP, regional review of the Global Compact")

    rows = _csv(client.get(f"/dashboards/charts/overview-reported.csv?cycle={cycle.id}").text)
    assert rows[0] == ["Objective", "States reporting", "Note"]
    values = [int(r[1]) for r in rows[1:]]
    assert values == sorted(values, reverse=True) and values[0] == 2 and values[-1] == 1
    assert rows[1][0] == "3. Information provision"
    assert [r[0] for r in rows[-2:]] == ["1. Data", "2. Minimize adverse drivers"]
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', svg.text)
    assert labels[0] == "3. Information provision"  # drawn in the same order, the short title whole


def test_equal_values_are_said_in_words_not_drawn_as_equal_bars(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.approved, cycle=cycle)  # every objective reported once
    sign_in(client, make_user(session, role=Role.secretariat))
    svg = client.get(f"/dashboards/charts/overview-reported.svg?cycle={cycle.id}").text
    assert _texts(svg, "chart__equal") == ["Every item has the same value, 1: no bars are drawn."]
    assert "<rect x=" not in svg.split("chart__equal", 1)[1].split("chart__source")[0]  # no bar after the message
    pledges = client.get(f"/dashboards/charts/overview-pledges.svg?cycle={cycle.id}").text  # no pledge at all: 0s
    assert "Every item has the same value, 0" in pledges


def test_trend_chart_draws_the_region_subregions_and_the_target(client: TestClient, session: Session) -> None:
    for period, cost in (("2019", 6.5), ("2020", 6.1), ("2021", 5.4)):
        make_value(session, code="10.c.1", country="THA", period=period, value=cost)
        make_value(session, code="10.c.1", country="FJI", period=period, value=cost + 3)
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get("/dashboards/indicators?indicator=10.c.1").text
    assert "Trend over the periods shown" in page and 'class="chart__target"' in page
    assert "Target: 3" in page and "SDG target 10.c: by 2030, reduce to less than 3 per cent" in page
    trend = client.get("/dashboards/charts/indicator-trend.csv?indicator=10.c.1")
    rows = _csv(trend.text)
    assert rows[0][:3] == ["Period", "Region", "East and North-East Asia"] and rows[0][-1].startswith("Target: 3")
    assert [r[0] for r in rows[1:]] == ["2019", "2020", "2021"]
    region = {r[0]: float(r[1]) for r in rows[1:]}
    assert region["2021"] == pytest.approx((5.4 + 8.4) / 2)  # the unweighted mean of the two countries
    assert all(r[-1] == "3" for r in rows[1:])
    svg = client.get("/dashboards/charts/indicator-trend.svg?indicator=10.c.1").text
    assert _texts(svg, "chart__title") == ["10.c.1 over time: region and subregions"]
    assert "<polyline" in svg and "stroke-dasharray" in svg
    no_target = client.get("/dashboards/indicators?indicator=10.7.3").text
    assert 'class="chart__target"' not in no_target


def test_the_tile_map_shows_every_member_inside_the_region_small_pacific_states_included(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "TUV", SubmissionStatus.approved, cycle=cycle)
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/dashboards?cycle={cycle.id}").text
    assert f'src="/dashboards/charts/overview-status-map.svg?cycle={cycle.id}&amp;inline=1"' in page
    svg = client.get(f"/dashboards/charts/overview-status-map.svg?cycle={cycle.id}").text
    tiles = set(re.findall(r'data-iso3="([A-Z]{3})"', svg))
    inside = set(session.scalars(select(Country.iso3).where(Country.in_region.is_(True))))
    assert len(inside) == 58 and tiles == inside  # every member inside the region, none outside (USA, FRA...)
    assert set(SMALL_PACIFIC) <= tiles
    assert "<title>Tuvalu: Approved</title>" in svg and "<title>Nauru: Not started</title>" in svg
    rows = _csv(client.get(f"/dashboards/charts/overview-status-map.csv?cycle={cycle.id}").text)
    assert rows[0] == ["ISO code", "Country", "Status"] and len(rows) == 59

    make_value(session, code="10.7.3", country="NRU", period="2021", value=3.0)
    values = client.get("/dashboards/charts/indicator-map.svg?indicator=10.7.3").text
    assert set(re.findall(r'data-iso3="([A-Z]{3})"', values)) == inside
    assert "<title>Nauru: 3</title>" in values and "<title>Tuvalu: no value</title>" in values


def test_the_explorer_opens_on_the_latest_period_with_adequate_coverage_and_warns_when_low(
    client: TestClient, session: Session
) -> None:
    inside = list(session.scalars(select(Country.iso3).where(Country.in_region.is_(True)).order_by(Country.iso3)))
    for iso3 in inside[:30]:  # 30 of 58: adequate at the default half
        make_value(session, code="10.7.3", country=iso3, period="2020", value=10.0)
    for iso3 in inside[:3]:  # the latest period, 3 countries so far
        make_value(session, code="10.7.3", country=iso3, period="2021", value=20.0)
    sign_in(client, make_user(session, role=Role.secretariat))
    opened = client.get("/dashboards/indicators?indicator=10.7.3").text
    assert '<option value="2020" selected>' in opened
    assert "Showing 2020, the latest period with adequate coverage (30 of 58 countries reporting)" in opened
    assert "Region (58)" not in opened and "30 of 58 countries reporting" in opened and "Low coverage" not in opened
    rows = _csv(client.get("/dashboards/charts/indicator-aggregate.csv?indicator=10.7.3").text)
    assert rows[1][:3] == ["Region (30 of 58 countries reporting)", "300", ""]  # the chart's first bar

    low = client.get("/dashboards/indicators?indicator=10.7.3&period=2021").text
    assert "Low coverage" in low and "only 3 of the 58 countries inside the region reported for 2021" in low
    assert "The latest period with adequate coverage is 2020." in low
    assert '<strong class="coverage-low">(low coverage)</strong>' in low and "Region (58)" not in low
    rows = _csv(client.get("/dashboards/charts/indicator-aggregate.csv?indicator=10.7.3&period=2021").text)
    assert rows[1][0] == "Region (3 of 58 countries reporting) low coverage" and rows[1][2] == "low coverage"

    settings = client.app.state.settings  # type: ignore[attr-defined]
    client.app.state.settings = settings.model_copy(update={"coverage_threshold": 0.05})  # type: ignore[attr-defined]
    try:
        lenient = client.get("/dashboards/indicators?indicator=10.7.3").text
    finally:
        client.app.state.settings = settings  # type: ignore[attr-defined]
    assert '<option value="2021" selected>' in lenient and "Low coverage" not in lenient


def test_chart_downloads_follow_the_pages_visibility(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.draft, cycle=cycle)
    public = client.get(f"/dashboards/charts/overview-status-map.csv?cycle={cycle.id}").text
    assert "Thailand,No published review" in public  # a visitor never learns of the draft
    assert client.get("/dashboards/charts/overview-nothing.svg").status_code == 404
    assert client.get("/dashboards/charts/overview-reported.png").status_code == 404


def test_the_objective_pages_charts_download_with_its_filters(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.approved, cycle=cycle)
    sign_in(client, make_user(session, role=Role.secretariat))
    url = f"/dashboards/charts/objective-pledge-entities.csv?cycle={cycle.id}&number=5"
    rows = _csv(client.get(url).text)
    assert rows[0] == ["Pledging entity", "Pledges", "Note"] and rows[1][0] == "States"
    svg = client.get(url.replace(".csv", ".svg")).text
    assert _texts(svg, "chart__title") == ["Pledges by pledging entity"]
    assert _texts(svg, "chart__subtitle")[0].startswith(cycle.name)
    assert client.get(url.replace("number=5", "number=99")).status_code == 404
