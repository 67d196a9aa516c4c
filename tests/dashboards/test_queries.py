"""Every dashboard page and the aggregate API run a fixed number of SQL queries, whatever the data size.

Queries are counted with a "before_cursor_execute" listener on the engine while each page is requested, at a small
data size and again after adding many more submissions, reports, answers, values and pledges: the counts must not
change. The cycle's questionnaire has choice questions in a section and per objective, so the distributions' query
and the principles' (answer_choice) are counted too.
The dashboards' result cache (app/data_version.py) is emptied before each counted request, so what is counted is
the work of computing the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import ReviewCycle
from app.questionnaires import service as questionnaires
from app.submissions.models import SubmissionStatus
from tests.commitments.helpers import make_commitment
from tests.dashboards.helpers import CONSULTED, FUNDING, submission_with_status
from tests.factories import make_cycle, make_token, make_user, set_answers, sign_in
from tests.indicators.helpers import make_value

SMALL = ["THA", "CHN"]
MORE = ["PHL", "VNM", "IDN", "MYS", "JPN", "KOR", "IND", "BGD", "NPL", "FJI", "KAZ", "USA"]
PERIODS_SMALL = ["2020"]
STATUSES = [SubmissionStatus.published, SubmissionStatus.approved, SubmissionStatus.draft, SubmissionStatus.submitted,
            SubmissionStatus.changes_requested]  # fmt: skip
PERIODS_MORE = ["2015", "2016", "2017", "2018", "2019", "2021"]


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine, self.count = engine, 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@pytest.fixture
def counter(engine: Engine) -> Iterator[QueryCounter]:
    counter = QueryCounter(engine)
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def _add(session: Session, cycle: ReviewCycle, countries: list[str], periods: list[str]) -> None:
    for i, iso3 in enumerate(countries):
        submission = submission_with_status(session, iso3, STATUSES[i % 5], cycle=cycle, text="Some text")
        set_answers(session, submission, "section:preparation", {"consulted_migrants": i % 2 == 0})
        for number in (3, 5, 8):
            set_answers(session, submission, f"objective:{number}", {"funding": "budget", "principles": ["c", "d"]})
        make_commitment(session, country=iso3)
        for period in periods:
            make_value(session, code="10.7.3", country=iso3, period=period, value=float(i))
            make_value(session, code="10.7.1", country=iso3, period=period, value=None if i % 3 else 2.5)


def _counts(client: TestClient, counter: QueryCounter, urls: list[str], headers: dict[str, str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        client.get(url, headers=headers)  # warm (first request of a client issues its CSRF cookie)
        client.app.state.result_cache.clear()  # type: ignore[attr-defined]  # count the queries, not a cache hit
        before = counter.count
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text[:500])
        counts[url] = counter.count - before
    return counts


@pytest.mark.parametrize("role", [Role.secretariat, Role.preparer, None], ids=lambda r: r.value if r else "public")
def test_dashboards_run_a_fixed_number_of_queries(
    client: TestClient, session: Session, counter: QueryCounter, role: Role | None
) -> None:
    cycle = make_cycle(session)
    questionnaires.add_question(session, cycle=cycle, part="section:preparation", question=CONSULTED, version=None)
    questionnaires.add_question(session, cycle=cycle, part="objective", question=FUNDING, version=None)
    _add(session, cycle, SMALL, PERIODS_SMALL)
    headers = {"Authorization": f"Bearer {make_token(session, user=make_user(session, role=Role.secretariat))}"}
    if role is not None:
        sign_in(client, make_user(session, role=role))
    urls = [
        f"/dashboards?cycle={cycle.id}",
        f"/dashboards?cycle={cycle.id}&subregion=2&round_table=2&principle=c",
        "/dashboards/indicators?indicator=10.7.3",
        "/dashboards/indicators?indicator=10.7.1&subregion=1",
        "/dashboards/objectives/5",
        "/dashboards/countries/THA",
        "/search?q=some+text",
        f"/search?q=text&subregion=2&objective=3&cycle={cycle.id}",
        "/api/v1/indicators/10.7.3/aggregate?period=2020",
        "/api/v1/indicators/10.7.3/values?limit=5",
    ]
    small = _counts(client, counter, urls, headers)
    _add(session, cycle, MORE, PERIODS_SMALL + PERIODS_MORE)
    large = _counts(client, counter, urls, headers)
    assert large == small
    assert max(small.values()) <= 20, small
