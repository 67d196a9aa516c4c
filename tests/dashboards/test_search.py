"""Full-text search (FTS5 on SQLite, PostgreSQL text search): what the user may see, filtered, highlighted safely."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.submissions.models import SubmissionStatus
from tests.commitments.helpers import accept_review_of, make_commitment
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_cycle, make_user, set_answers, sign_in


def test_search_finds_published_reports_and_practices_highlighted_safely(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    published = submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle, text="seasonal")
    report = published.objective_reports[0]
    narrative = "Seasonal workers <script>alert(1)</script> gained portable insurance."
    set_answers(session, published, f"objective:{report.objective.number}", {"narrative": narrative})
    response = client.get("/search?q=portable+SEASON")
    assert response.status_code == 200
    text = response.text
    assert "<mark>portable</mark>" in text
    assert "<mark>Seasonal</mark>" in text  # prefix match, case kept
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    number = report.objective.number
    # The objective page shows one cycle at a time: the link names the report's own cycle, where its anchor is.
    assert f'href="/dashboards/objectives/{number}?cycle={cycle.id}#report-{report.id}"' in text
    practices = client.get("/search?q=seasonal&kind=practice").text
    assert "Practice of THA" in practices.replace("<mark>", "").replace("</mark>", "")


def test_search_never_shows_drafts_to_the_public_or_preparers(client: TestClient, session: Session) -> None:
    submission_with_status(session, "VNM", SubmissionStatus.draft, text="zanzibarite")
    submission_with_status(session, "LAO", SubmissionStatus.submitted, text="zanzibarite")
    submission_with_status(session, "KHM", SubmissionStatus.approved, text="zanzibarite")
    assert "result" in client.get("/search?q=zanzibarite").text
    assert "zanzibarite" not in client.get("/search?q=zanzibarite").text.split("</form>", 1)[1]  # not published
    sign_in(client, make_user(session, role=Role.preparer))
    approved_only = client.get("/search?q=zanzibarite").text
    assert "Cambodia" in approved_only and "Viet Nam" not in approved_only and "Lao" not in approved_only
    client.cookies.clear()
    sign_in(client, make_user(session, role=Role.secretariat))
    assert "<mark>zanzibarite</mark>" in client.get("/search?q=zanzibarite").text


def test_search_combines_with_filters_and_finds_pledges(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle, text="quokka")
    submission_with_status(session, "MNG", SubmissionStatus.published, cycle=cycle, text="quokka")
    south_east = client.get(f"/search?q=quokka&subregion=2&cycle={cycle.id}&kind=report").text
    assert "Thailand" in south_east and "Mongolia" not in south_east
    one_objective = client.get("/search?q=quokka&kind=report&objective=3&subregion=2").text
    assert one_objective.count('class="search-result ') == 1
    accept_review_of(session, "PHL", SubmissionStatus.published)
    make_commitment(session, country="PHL", title="Wombat reintegration centres for returning migrants")
    pledges = client.get("/search?q=wombat").text
    assert "<mark>Wombat</mark>" in pledges and "Pledge" in pledges


def test_search_ignores_query_syntax(client: TestClient, session: Session) -> None:
    for q in ['"unbalanced', "NEAR(a b)", "a* OR -b", "^x:y", "'; drop table x; --"]:
        assert client.get("/search", params={"q": q}).status_code == 200


def test_search_follows_edits_and_deletions(client: TestClient, session: Session) -> None:
    """The index (FTS5 triggers on SQLite, generated tsvector columns on PostgreSQL) follows every write."""
    accept_review_of(session, "PHL", SubmissionStatus.published)
    pledge = make_commitment(session, country="PHL", title="Platypus language classes for returning migrants")
    assert "<mark>Platypus</mark>" in client.get("/search?q=platypus&kind=pledge").text
    pledge.title = "Echidna language classes for returning migrants"
    session.flush()
    assert "<mark>Platypus</mark>" not in client.get("/search?q=platypus&kind=pledge").text
    assert "<mark>Echidna</mark>" in client.get("/search?q=echidna&kind=pledge").text
    session.delete(pledge)
    session.flush()
    assert "<mark>Echidna</mark>" not in client.get("/search?q=echidna&kind=pledge").text
