"""The dashboard pages: figures shown, drafts never leaking to preparers or the public, filters in the URL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.config import Environment, Settings
from app.db import get_session
from app.indicators.models import ValueStatus
from app.main import create_app
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_cycle, make_user, sign_in
from tests.indicators.helpers import make_value


def test_drafts_do_not_leak_to_preparers_or_the_public(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle, text="ApprovedText")
    submission_with_status(session, "VNM", SubmissionStatus.draft, cycle=cycle, text="DraftSecret")
    submission_with_status(session, "LAO", SubmissionStatus.submitted, cycle=cycle, text="SubmittedSecret")
    pages = [f"/dashboards?cycle={cycle.id}", f"/dashboards/objectives/5?cycle={cycle.id}", "/dashboards/objectives/5"]
    for url in pages:  # the public (not signed in)
        text = client.get(url).text
        assert ">VNM<" not in text and "DraftSecret" not in text, url  # no heatmap row, no text
        assert "SubmittedSecret" not in text and ">LAO<" not in text, url
        assert "Draft</" not in text and "Submitted</" not in text, url  # no status but published
    assert "ApprovedText" in client.get("/dashboards/objectives/5").text
    assert client.get("/dashboards/countries/VNM").status_code == 404
    sign_in(client, make_user(session, role=Role.preparer))
    overview = client.get(pages[0]).text
    assert ">THA<" in overview and ">VNM<" not in overview and ">LAO<" not in overview
    assert "DraftSecret" not in client.get("/dashboards/objectives/5").text
    assert client.get("/dashboards/countries/VNM").status_code == 404


def test_secretariat_sees_every_status_but_objective_pages_quote_approved_reports_only(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.approved, cycle=cycle, text="ApprovedText")
    submission_with_status(session, "VNM", SubmissionStatus.draft, cycle=cycle, text="DraftSecret")
    sign_in(client, make_user(session, role=Role.secretariat))
    overview = client.get(f"/dashboards?cycle={cycle.id}").text
    assert ">VNM<" in overview and "Draft" in overview
    objective = client.get("/dashboards/objectives/5").text
    assert "ApprovedText" in objective and "DraftSecret" not in objective
    assert "paragraph 21" in objective  # objective n is in paragraph n + 16


def test_overview_filters_narrow_the_heatmap(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle)
    submission_with_status(session, "CHN", SubmissionStatus.published, cycle=cycle)
    sea = client.get(f"/dashboards?cycle={cycle.id}&subregion=2&round_table=1").text
    assert ">THA<" in sea and ">CHN<" not in sea
    assert 'href="/dashboards/objectives/2"' in sea and 'href="/dashboards/objectives/1"' not in sea
    fragment = client.get(f"/dashboards?cycle={cycle.id}&objective=3", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="results"')


def test_explorer_shows_aggregate_coverage_and_provisional_marks(client: TestClient, session: Session) -> None:
    make_value(session, code="10.7.3", country="THA", period="2020", value=30.0)
    make_value(session, code="10.7.3", country="USA", period="2020", value=9_999_999.0)
    make_value(session, code="10.7.3", country="PHL", period="2020", value=None)
    submission_with_status(session, "THA", SubmissionStatus.approved)
    sign_in(client, make_user(session, role=Role.secretariat))
    text = client.get("/dashboards/indicators?indicator=10.7.3").text
    assert "1 of 58 countries reporting" in text
    assert "regional total 30 " in text
    assert "outside the region: not in regional figures" in text  # the USA row, marked
    assert "<svg" in text and "<title" in text
    fragment = client.get("/dashboards/indicators?indicator=10.7.3&sex=female", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="results"')
    assert 'name="sex"' in fragment.text  # the filters come with the fragment (they depend on the indicator)
    mean = client.get("/dashboards/indicators?indicator=10.7.1").text
    assert "Unweighted mean" in mean


def test_explorer_table_marks_gaps_provisional_values_and_members_outside(client: TestClient, session: Session) -> None:
    """The values table is built in Python (service._value_rows): each kind of cell keeps its mark."""
    make_value(session, code="10.7.3", country="THA", period="2020", value=1234.5).status = ValueStatus.provisional
    make_value(session, code="10.7.3", country="PHL", period="2020", value=None)
    make_value(session, code="10.7.3", country="USA", period="2020", value=9_999_999.0)
    make_value(session, code="10.7.3", country="PHL", period="2019", value=7.0)
    session.flush()
    sign_in(client, make_user(session, role=Role.secretariat))
    text = client.get("/dashboards/indicators?indicator=10.7.3").text
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr[^>]*><th scope="row"><a href="[^"]+">([^<]+)</a>.*?</tr>', text)
    }
    assert '<td class="num">1,234.50 <abbr class="provisional" title="provisional">P</abbr></td>' in rows["Thailand"]
    assert '<td class="num">—<span class="visually-hidden"> recorded gap</span></td>' in rows["Philippines"]
    assert '<td class="num">7</td>' in rows["Philippines"]
    assert '<td class="num"></td>' in rows["Thailand"]  # no value for 2019: blank, not a gap
    usa = next(r for name, r in rows.items() if "United States" in name)
    assert usa.startswith('<tr class="outside-region">') and "9,999,999" in usa
    assert 'href="/dashboards/countries/THA"' in rows["Thailand"]


def test_public_view_setting_can_require_sign_in(db_url: str, session: Session) -> None:
    app = create_app(Settings(env=Environment.test, database_url=db_url, public_view=False))
    app.dependency_overrides[get_session] = lambda: session
    with TestClient(app, base_url="https://127.0.0.1") as client:
        response = client.get("/dashboards", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        assert "/dashboards" not in client.get("/").text
        sign_in(client, make_user(session, role=Role.preparer))
        assert client.get("/dashboards").status_code == 200


def test_query_count_header_is_opt_in(db_url: str) -> None:
    for enabled in (False, True):
        app = create_app(Settings(env=Environment.test, database_url=db_url, query_count_header=enabled))
        with TestClient(app, base_url="https://127.0.0.1") as client:
            timing = client.get("/dashboards").headers.get("Server-Timing")
        if enabled:
            match = re.fullmatch(r'db;desc="(\d+) queries"', timing or "")
            assert match is not None and int(match.group(1)) >= 5, timing
        else:
            assert timing is None


@pytest.mark.parametrize("value", ["²", "٣", "１", "-1", "99999999999999999999"])
def test_odd_numbers_in_filters_are_ignored_not_errors(client: TestClient, value: str) -> None:
    for path in ("/dashboards", "/dashboards/indicators", "/dashboards/objectives/5", "/search"):
        response = client.get(path, params={"cycle": value, "subregion": value, "objective": value, "q": "x"})
        assert response.status_code == 200, (path, value)
