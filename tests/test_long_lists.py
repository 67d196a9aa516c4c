"""Long lists come in pages with their filters kept: a part's history (25 changes a page) and an objective's
approved reports (20 States a page); a page number that is not one is page 1, past the end the last page."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.catalog.models import Country
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_cycle, make_submission, make_user, set_answers, sign_in


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html.split('<ol class="history">')[1].split("</ol>")[0])


def test_a_long_history_is_paginated_newest_first(client: TestClient, session: Session) -> None:
    fp = make_user(session, role=Role.focal_point, country="MHL")
    submission = make_submission(session, focal_point=fp)
    for n in range(30):
        set_answers(session, submission, "objective:4", {"narrative": f"Version number {n:02d}."}, user=fp)
    sign_in(client, fp)
    url = f"/submissions/{submission.id}/objectives/4/history"
    first = client.get(url)
    assert first.status_code == 200
    counted = re.search(r"(\d+) changes, newest first\.", first.text)
    assert counted is not None and int(counted[1]) >= 30 and "Page 1 of 2" in first.text  # (and the new review's)
    assert first.text.count('class="history__entry"') == 25
    assert "29." in _text(first.text) and "01." not in _text(first.text)  # the newest changes first
    second = client.get(url, params={"page": "2"})
    assert second.text.count('class="history__entry"') == int(counted[1]) - 25 and 'rel="prev"' in second.text
    assert "00." in _text(second.text) and "29." not in _text(second.text)
    assert _text(client.get(url, params={"page": "99"}).text) == _text(second.text)  # past the end: the last page
    assert client.get(url, params={"page": "nonsense"}).text.count('class="history__entry"') == 25


def _report_states(html: str) -> list[str]:
    return re.findall(r'id="report-\d+">\s*<h3><a href="/dashboards/countries/(\w{3})"', html)


def test_an_objectives_reports_come_twenty_states_a_page_with_the_filters_kept(
    client: TestClient, session: Session
) -> None:
    countries = session.query(Country).filter(Country.in_region.is_(True)).order_by(Country.iso3).limit(23).all()
    cycle = make_cycle(session)
    for country in countries:
        submission_with_status(session, country.iso3, SubmissionStatus.published, cycle=cycle, text="paged")
    first = client.get("/dashboards/objectives/3", params={"cycle": str(cycle.id)})
    assert first.status_code == 200
    shown = _report_states(first.text)
    assert len(shown) == 20 and "Page 1 of 2, by State." in first.text
    assert "(23)" in first.text.split('id="reports-h"')[1][:120]  # the heading counts them all
    link = re.search(r'<a href="\?([^"]+)" rel="next">', first.text)
    assert link is not None and link[1] == f"cycle={cycle.id}&amp;page=2"
    second = _report_states(client.get(f"/dashboards/objectives/3?cycle={cycle.id}&page=2").text)
    assert len(second) == 3 and not set(second) & set(shown)
    # With a filter, the pages keep it.
    subregion = countries[0].subregion_id
    filtered = client.get("/dashboards/objectives/3", params={"cycle": str(cycle.id), "subregion": str(subregion)})
    assert filtered.status_code == 200
    expected = sum(1 for c in countries if c.subregion_id == subregion)
    assert len(_report_states(filtered.text)) == min(expected, 20)
    if expected > 20:
        assert f"subregion={subregion}" in filtered.text.split('rel="next"')[0].rsplit("href=", 1)[1]
