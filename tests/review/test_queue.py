"""The secretariat's review queue: every member and associate member with its status, filters, sort and htmx."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.catalog.texts import app_cache
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import utcnow
from app.submissions.models import Submission, SubmissionStatus
from tests.factories import make_cycle, make_submission, make_user, sign_in

ROW = re.compile(r'<tr class="queue-row queue-row--(\w+)" data-country="(\w{3})">(.*?)</tr>', re.S)


def rows(html: str) -> list[tuple[str, str]]:
    """(iso3, status) of each row of the queue, in order."""
    return [(iso3, status) for status, iso3, _cells in ROW.findall(html)]


def row_html(html: str, iso3: str) -> str:
    return next(cells for _status, code, cells in ROW.findall(html) if code == iso3)


def add_submission(
    session: Session,
    cycle: ReviewCycle,
    iso3: str,
    status: SubmissionStatus = SubmissionStatus.draft,
    *,
    days_ago: int | None = None,
) -> Submission:
    focal_point = make_user(session, role=Role.focal_point, country=iso3)
    submission = make_submission(session, focal_point=focal_point, cycle=cycle)
    submission.status = status
    if days_ago is not None:
        submission.submitted_at = utcnow() - timedelta(days=days_ago)
    session.flush()
    return submission


@pytest.fixture
def secretariat(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.secretariat))


@pytest.fixture
def cycle(session: Session) -> ReviewCycle:
    return make_cycle(session)


@pytest.mark.usefixtures("secretariat")
def test_queue_lists_all_62_countries_with_not_started_for_those_without_a_submission(
    client: TestClient, session: Session, cycle: ReviewCycle
) -> None:
    submission = add_submission(session, cycle, "PHL", SubmissionStatus.draft)
    page = client.get("/review")
    assert page.status_code == 200
    listed = dict(rows(page.text))
    assert len(listed) == 62
    assert listed["PHL"] == "draft"
    assert listed["THA"] == "not_started" and listed["USA"] == "not_started"
    assert f'href="/submissions/{submission.id}"' in row_html(page.text, "PHL")
    assert "href=" not in row_html(page.text, "THA")
    assert "Outside the region" in row_html(page.text, "USA")
    assert cycle.name in page.text


def test_admin_sees_the_queue_too(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    assert client.get("/review").status_code == 200


@pytest.mark.usefixtures("secretariat")
def test_summary_counts_each_status_of_the_cycle(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=3)
    add_submission(session, cycle, "THA", SubmissionStatus.submitted, days_ago=1)
    add_submission(session, cycle, "FJI", SubmissionStatus.changes_requested)
    page = client.get("/review", params={"status": "submitted"})
    summary = " ".join(re.sub(r"<[^>]+>", "", page.text.split('id="queue-summary">')[1].split("</p>")[0]).split())
    assert summary == (
        "In this cycle: 59 not started, 0 draft, 2 submitted, 1 changes requested, 0 approved, 0 published"
    )


@pytest.mark.usefixtures("secretariat")
def test_filter_by_status(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=2)
    add_submission(session, cycle, "THA", SubmissionStatus.approved)
    assert rows(client.get("/review", params={"status": "submitted"}).text) == [("PHL", "submitted")]
    assert rows(client.get("/review", params={"status": "approved"}).text) == [("THA", "approved")]
    not_started = rows(client.get("/review", params={"status": "not_started"}).text)
    assert len(not_started) == 60 and {"PHL", "THA"}.isdisjoint(code for code, _ in not_started)


@pytest.mark.usefixtures("secretariat")
def test_filter_by_subregion_and_outside_the_region(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    pacific = rows(client.get("/review", params={"subregion": "Pacific"}).text)
    assert len(pacific) == 21 and ("FJI", "not_started") in pacific
    outside = rows(client.get("/review", params={"subregion": "outside"}).text)
    assert sorted(code for code, _ in outside) == ["FRA", "GBR", "NLD", "USA"]


@pytest.mark.usefixtures("secretariat")
def test_filters_combine(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    add_submission(session, cycle, "FJI", SubmissionStatus.submitted, days_ago=4)
    add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=4)
    page = client.get("/review", params={"status": "submitted", "subregion": "Pacific"})
    assert rows(page.text) == [("FJI", "submitted")]


@pytest.mark.usefixtures("secretariat")
def test_days_waiting_only_for_submitted_reviews(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=5)
    add_submission(session, cycle, "THA", SubmissionStatus.approved, days_ago=9)
    page = client.get("/review")
    submitted_on = (utcnow() - timedelta(days=5)).date().isoformat()
    assert "5 days" in row_html(page.text, "PHL") and submitted_on in row_html(page.text, "PHL")
    assert "9 days" not in row_html(page.text, "THA") and "Not waiting" in row_html(page.text, "THA")


@pytest.mark.usefixtures("secretariat")
def test_sort_by_waiting_puts_the_longest_waiting_first(
    client: TestClient, session: Session, cycle: ReviewCycle
) -> None:
    add_submission(session, cycle, "THA", SubmissionStatus.submitted, days_ago=2)
    add_submission(session, cycle, "VNM", SubmissionStatus.submitted, days_ago=20)
    add_submission(session, cycle, "NPL", SubmissionStatus.submitted, days_ago=7)
    add_submission(session, cycle, "AFG", SubmissionStatus.draft)
    page = client.get("/review", params={"sort": "waiting"})
    order = [code for code, _ in rows(page.text)]
    assert order[:3] == ["VNM", "NPL", "THA"]
    assert order[3] == "AFG"  # then the rest by name
    assert re.search(r'<th scope="col" aria-sort="descending"><a id="sort-waiting"', page.text)
    assert client.get("/review").text.count('aria-sort="descending"') == 1  # waiting is the default


@pytest.mark.usefixtures("secretariat")
def test_sort_by_country_orders_by_name(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    add_submission(session, cycle, "VNM", SubmissionStatus.submitted, days_ago=20)
    page = client.get("/review", params={"sort": "country"})
    order = [code for code, _ in rows(page.text)]
    assert order[:3] == ["AFG", "ASM", "ARM"]  # Afghanistan, American Samoa, Armenia
    assert re.search(r'<th scope="col" aria-sort="ascending"><a id="sort-country"', page.text)
    assert 'aria-sort="descending"' not in page.text


@pytest.mark.usefixtures("secretariat")
def test_reviews_still_owed_after_the_deadline_are_overdue(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session, days_to_deadline=30)
    add_submission(session, cycle, "PHL", SubmissionStatus.draft)
    add_submission(session, cycle, "THA", SubmissionStatus.submitted, days_ago=1)
    add_submission(session, cycle, "FJI", SubmissionStatus.changes_requested)
    cycle.deadline = utcnow().date() - timedelta(days=4)  # the deadline has passed (the cycle stays open)
    session.flush()
    page = client.get("/review")
    assert "overdue by 4 days" in row_html(page.text, "PHL")
    assert "overdue by 4 days" in row_html(page.text, "FJI")
    assert "overdue by 4 days" in row_html(page.text, "AFG")  # not started
    assert "overdue" not in row_html(page.text, "THA")
    assert cycle.deadline.isoformat() in row_html(page.text, "THA")


@pytest.mark.usefixtures("secretariat")
def test_nothing_is_overdue_before_the_deadline(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    assert "overdue by" not in client.get("/review").text


@pytest.mark.usefixtures("secretariat")
def test_defaults_to_the_open_cycle_and_another_can_be_chosen(client: TestClient, session: Session) -> None:
    open_cycle = make_cycle(session)
    later = ReviewCycle(
        name="Planned later cycle",
        opens_on=open_cycle.opens_on + timedelta(days=365),
        deadline=open_cycle.deadline + timedelta(days=365),
        closes_on=open_cycle.closes_on + timedelta(days=365),
        status=CycleStatus.planned,
    )
    session.add(later)
    session.flush()
    add_submission(session, open_cycle, "PHL", SubmissionStatus.submitted, days_ago=1)
    page = client.get("/review")
    assert dict(rows(page.text))["PHL"] == "submitted"
    assert f'<option value="{open_cycle.id}" selected>' in page.text
    other = client.get("/review", params={"cycle": later.id})
    assert other.status_code == 200 and dict(rows(other.text))["PHL"] == "not_started"
    assert f'<option value="{later.id}" selected>' in other.text


@pytest.mark.usefixtures("secretariat")
def test_without_an_open_cycle_the_latest_is_shown(client: TestClient, session: Session) -> None:
    older = make_cycle(session, status=CycleStatus.closed)
    newer = make_cycle(session, status=CycleStatus.closed)
    newer.opens_on = older.opens_on + timedelta(days=1)
    session.flush()
    assert f'<option value="{newer.id}" selected>' in client.get("/review").text


@pytest.mark.usefixtures("secretariat")
def test_htmx_request_returns_only_the_table(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    page = client.get("/review", params={"subregion": "outside"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text and 'id="queue-filters"' not in page.text
    assert page.text.lstrip().startswith(('<div id="queue-table"', "{#"))
    assert len(rows(page.text)) == 4
    # A fragment, in the reader's language (and gzipped or not, as the client accepts).
    vary = [name.strip() for name in page.headers["Vary"].split(",")]
    assert {"HX-Request", "Accept-Language", "Cookie", "Accept-Encoding"} <= set(vary)


@pytest.mark.usefixtures("secretariat")
def test_filter_form_keeps_the_chosen_values_and_uses_htmx(
    client: TestClient, session: Session, cycle: ReviewCycle
) -> None:
    page = client.get("/review", params={"status": "draft", "subregion": "Pacific", "sort": "country"})
    assert page.status_code == 200 and "<html" in page.text
    assert '<option value="draft" selected>' in page.text
    assert '<option value="Pacific" selected>' in page.text
    assert '<input type="hidden" name="sort" value="country" form="queue-filters">' in page.text
    assert 'method="get"' in page.text and 'hx-get="/review"' in page.text and 'hx-push-url="true"' in page.text
    assert '<button type="submit"' in page.text
    # The sort links keep the other filters.
    assert f'href="/review?cycle={cycle.id}&amp;status=draft&amp;subregion=Pacific&amp;sort=waiting"' in page.text


@pytest.mark.parametrize("role", [Role.focal_point, Role.preparer])
def test_focal_points_and_preparers_may_not_see_the_queue(client: TestClient, session: Session, role: Role) -> None:
    sign_in(client, make_user(session, role=role, country="PHL" if role is Role.focal_point else None))
    assert client.get("/review").status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/review", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.usefixtures("secretariat")
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "lost"}, "Choose a status from the list."),
        ({"subregion": "Atlantis"}, "Choose a subregion from the list."),
        ({"sort": "random"}, "Sort by waiting time or by country name."),
        ({"cycle": "abc"}, "There is no such review cycle."),
        ({"cycle": "999999"}, "There is no such review cycle."),
    ],
)
def test_invalid_filter_answers_422_with_a_clear_message(
    client: TestClient, cycle: ReviewCycle, params: dict[str, str], message: str
) -> None:
    page = client.get("/review", params=params)
    assert page.status_code == 422
    assert message in page.text
    assert not rows(page.text)
    fragment = client.get("/review", params=params, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and message in fragment.text and "<html" not in fragment.text


@pytest.mark.usefixtures("secretariat")
def test_invalid_status_is_marked_beside_its_field(client: TestClient, cycle: ReviewCycle) -> None:
    page = client.get("/review", params={"status": "lost", "subregion": "Pacific"})
    assert 'id="status-error"' in page.text and 'aria-invalid="true"' in page.text
    assert '<option value="Pacific" selected>' in page.text


@pytest.mark.usefixtures("secretariat")
def test_no_cycle_yet_shows_a_message(client: TestClient, session: Session) -> None:
    page = client.get("/review")
    assert page.status_code == 200 and "There is no review cycle yet" in page.text


@pytest.mark.usefixtures("secretariat")
def test_queue_page_needs_a_bounded_number_of_queries(client: TestClient, session: Session, cycle: ReviewCycle) -> None:
    statements: list[str] = []
    connection = session.connection()

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def queries_for_page() -> int:
        statements.clear()
        event.listen(connection, "before_cursor_execute", count)
        try:
            assert client.get("/review").status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len([s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))])

    app_cache(client.app.state).get(session)  # type: ignore[attr-defined]  # the reference texts, read once a process
    add_submission(session, cycle, "PHL", SubmissionStatus.submitted, days_ago=3)
    few = queries_for_page()
    for iso3 in ("THA", "NPL", "VNM", "FJI", "USA"):
        add_submission(session, cycle, iso3, SubmissionStatus.submitted, days_ago=1)
    assert queries_for_page() == few
    assert 0 < few <= 8
