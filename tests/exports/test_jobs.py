"""Report jobs: created by a POST, run by the worker's run-one function, polled, downloaded and read back."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import docx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.db import utcnow
from app.exports import queries, render, service
from app.exports.models import Job, JobKind, JobStatus
from app.exports.reports import build_country_profile, build_synthesis
from app.submissions.models import ProgressRating, SubmissionStatus
from tests.exports.helpers import pdf_page_count, review
from tests.factories import make_cycle, make_user, post_form, sign_in
from tests.indicators.helpers import make_value

pytestmark = pytest.mark.usefixtures("no_worker")

PHL_PRACTICE = "One-stop migrant resource centres opened in five provinces of origin."
USA_PRACTICE = "A practice of a member outside the region."
DRAFT_PRACTICE = "A draft practice nobody may quote yet."


def _cycle_with_reviews(session: Session):  # type: ignore[no-untyped-def]
    cycle = make_cycle(session)
    phl = review(session, cycle, "PHL", SubmissionStatus.approved, practice=PHL_PRACTICE, objective=6)
    fji = review(session, cycle, "FJI", SubmissionStatus.published, rating=ProgressRating.advanced)
    usa = review(session, cycle, "USA", SubmissionStatus.published, practice=USA_PRACTICE, objective=6)
    review(session, cycle, "BGD", SubmissionStatus.draft, practice=DRAFT_PRACTICE, objective=6)
    make_value(session, code="10.7.3", country="PHL", period="2022", value=100)
    make_value(session, code="10.7.3", country="FJI", period="2022", value=20)
    make_value(session, code="10.7.3", country="USA", period="2022", value=5000)  # outside: never counted
    make_value(session, code="10.7.3", country="BGD", period="2022", value=999)  # draft only: not in synthesis
    return cycle, phl, fji, usa


def _start(client: TestClient, **data: str) -> int:
    response = post_form(client, "/exports/jobs", data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def _job(session: Session, job_id: int) -> Job:
    session.expire_all()
    job = session.get(Job, job_id)
    assert job is not None
    return job


def test_synthesis_docx_job_runs_shows_progress_and_downloads(client: TestClient, session: Session) -> None:
    cycle, *_ = _cycle_with_reviews(session)
    preparer = make_user(session, role=Role.preparer)
    sign_in(client, preparer)
    job_id = _start(client, kind="synthesis", report_cycle=str(cycle.id), report_format="docx")
    assert _job(session, job_id).status is JobStatus.queued
    page = client.get(f"/exports/jobs/{job_id}")
    assert 'hx-trigger="every 1s"' in page.text and "<progress" in page.text and 'aria-live="polite"' in page.text
    assert "/download" not in page.text

    assert service.run_one(session, session) == job_id
    job = _job(session, job_id)
    assert (job.status, job.progress, job.media_type) == (JobStatus.done, 100, render.DOCX_MEDIA_TYPE)
    fragment = client.get(f"/exports/jobs/{job_id}", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="job-status"')
    assert "hx-trigger" not in fragment.text  # polling stops
    assert f"/exports/jobs/{job_id}/download" in fragment.text

    response = client.get(f"/exports/jobs/{job_id}/download")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="gcm-regional-synthesis-')
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    # Objectives grouped by round table, named by its theme: round table 1 holds objectives 2, 5, 6, 12, 18.
    rt1 = headings.index(next(h for h in headings if h.startswith("Round table 1: Minimize adverse drivers;")))
    assert headings[rt1 + 1].startswith("Objective 2:")
    assert "2 of 58 members and associate members in the region reported" in text
    assert PHL_PRACTICE in text and USA_PRACTICE in text and DRAFT_PRACTICE not in text
    quote = paragraphs.index(next(p for p in paragraphs if PHL_PRACTICE in p))
    cite = re.search(r"— Philippines \[(\d+)\]", paragraphs[quote + 1])
    assert cite, paragraphs[quote + 1]
    reference = next(p for p in paragraphs if p.startswith(f"[{cite.group(1)}] "))
    expected = f"Philippines, {cycle.name}, objective 6 (Recruitment and decent work), Good practices"
    assert reference == f"[{cite.group(1)}] {expected}"  # State, cycle, objective and question: no internal id
    assert "United States of America (outside the region)" in text or "(outside the region)" in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    # Indicator coverage counts only regional members with an accepted review; the sum excludes the USA and BGD.
    region_row = next(r for r in cells if r[0] == "Region" and "countries reporting" in r[1])
    assert region_row[1] == "2 of 58 countries reporting"
    assert region_row[2] == "120"
    # objective (its number and short title), reporting, then one column per rating
    overview = {r[0].split(".")[0]: r for r in cells if len(r) == 7}
    assert overview["6"][0] == "6. Recruitment and decent work"
    assert overview["6"][1] == "2 of 58" and overview["6"][4] == "1" and overview["6"][5] == "1"
    assert overview["23"][1] == "0 of 58"  # not reported by anyone
    advanced = next(r for r in cells if r[0] == "Advanced")
    assert advanced[1] == "1" and advanced[2].startswith("Fiji [")
    assert "Bangladesh" not in text


def test_synthesis_pdf_has_the_same_content_as_the_docx(client: TestClient, session: Session) -> None:
    cycle, *_ = _cycle_with_reviews(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    job_id = _start(client, kind="synthesis", report_cycle=str(cycle.id), report_format="pdf")
    service.run_one(session, session)
    response = client.get(f"/exports/jobs/{job_id}/download")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # No PDF text extractor is installed (no pdftotext, no pypdf): the PDF is checked by its page tree, and its
    # text through the HTML it is printed from, built from the same content.
    assert pdf_page_count(response.content) >= 3
    html = render.to_html(build_synthesis(session, queries.get_cycle(session, cycle.id)))  # type: ignore[arg-type]
    assert PHL_PRACTICE in html and DRAFT_PRACTICE not in html
    assert f"Philippines, {cycle.name}, objective 6 (Recruitment and decent work), Good practices" in html
    assert re.search(r'<a class="cite" href="#ref-\d+">\[\d+\]</a>', html)


def test_progress_rises_while_the_synthesis_is_built(session: Session) -> None:
    cycle, *_ = _cycle_with_reviews(session)
    seen: list[int] = []
    build_synthesis(session, cycle, lambda percent, _message: seen.append(percent))
    assert seen == sorted(seen) and seen[0] < 10 and seen[-1] >= 80 and len(seen) > 23


def test_only_the_creator_or_an_administrator_sees_and_downloads_the_job(client: TestClient, session: Session) -> None:
    cycle, *_ = _cycle_with_reviews(session)
    sign_in(client, make_user(session, role=Role.preparer))
    job_id = _start(client, kind="synthesis", report_cycle=str(cycle.id), report_format="docx")
    service.run_one(session, session)
    client.cookies.clear()
    sign_in(client, make_user(session, role=Role.preparer))
    assert client.get(f"/exports/jobs/{job_id}").status_code == 404
    assert client.get(f"/exports/jobs/{job_id}/download").status_code == 404
    client.cookies.clear()
    sign_in(client, make_user(session, role=Role.admin))
    assert client.get(f"/exports/jobs/{job_id}/download").status_code == 200


def test_a_failed_job_shows_its_reason_without_a_trace(client: TestClient, session: Session) -> None:
    preparer = make_user(session, role=Role.preparer)
    job = Job(kind=JobKind.synthesis, params={"cycle_id": 987654, "format": "pdf"}, created_by_id=preparer.id)
    session.add(job)
    session.flush()
    service.run_one(session, session)
    assert _job(session, job.id).status is JobStatus.failed
    sign_in(client, preparer)
    page = client.get(f"/exports/jobs/{job.id}")
    assert "The review cycle no longer exists." in page.text and 'role="alert"' in page.text
    assert "Traceback" not in page.text and "hx-trigger" not in page.text
    assert client.get(f"/exports/jobs/{job.id}/download").status_code == 409


def test_a_job_is_claimed_once_oldest_first(session: Session) -> None:
    owner = make_user(session, role=Role.preparer)
    first, second = (
        Job(kind=JobKind.synthesis, params={"cycle_id": 1, "format": "docx"}, created_by_id=owner.id) for _ in "ab"
    )
    session.add_all([first, second])
    session.flush()
    ours = {first.id, second.id}
    claimed = [service.claim_next(session), service.claim_next(session)]
    assert claimed == sorted(ours)
    assert service.claim_next(session) not in ours  # nothing of ours is left queued
    states = session.execute(select(Job.status).where(Job.id.in_(ours))).scalars().all()
    assert set(states) == {JobStatus.running}


def test_bad_report_choices_re_render_with_messages(client: TestClient, session: Session) -> None:
    make_cycle(session)
    sign_in(client, make_user(session, role=Role.preparer))
    response = post_form(client, "/exports/jobs", {"kind": "synthesis", "report_cycle": "999999"})
    assert response.status_code == 422
    assert 'id="report_cycle-error"' in response.text and 'id="report_format-error"' in response.text


def test_focal_point_cannot_profile_a_country_with_nothing_published(client: TestClient, session: Session) -> None:
    _cycle_with_reviews(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    response = post_form(
        client, "/exports/jobs", {"kind": "country_profile", "country": "BGD", "profile_format": "pdf"}
    )
    assert response.status_code == 422 and 'id="country-error"' in response.text
    job_id = _start(client, kind="country_profile", country="PHL", profile_format="docx")
    service.run_one(session, session)
    document = docx.Document(io.BytesIO(client.get(f"/exports/jobs/{job_id}/download").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Country profile: Philippines" in text and PHL_PRACTICE in text


def test_country_profile_pdf_lists_history_pledges_and_indicators(client: TestClient, session: Session) -> None:
    cycle, *_ = _cycle_with_reviews(session)
    preparer = make_user(session, role=Role.preparer)
    country = queries.get_country(session, "PHL")
    assert country is not None
    doc = build_country_profile(session, preparer, country)
    html = render.to_html(doc)
    assert cycle.name in html and "Approved" in html and "10.7.3" in html and PHL_PRACTICE in html
    assert f"Philippines, {cycle.name}, objective 6 (Recruitment and decent work), Good practices" in html
    sign_in(client, preparer)
    job_id = _start(client, kind="country_profile", country="PHL", profile_format="pdf")
    service.run_one(session, session)
    data = client.get(f"/exports/jobs/{job_id}/download").content
    assert data.startswith(b"%PDF-") and pdf_page_count(data) >= 1


def test_an_interrupted_job_is_queued_again_and_old_results_are_removed(session: Session) -> None:
    owner = make_user(session, role=Role.preparer)
    long_ago = utcnow() - timedelta(days=30)
    stuck = Job(kind=JobKind.synthesis, params={}, created_by_id=owner.id, status=JobStatus.running, attempts=1)
    old = Job(kind=JobKind.synthesis, params={}, created_by_id=owner.id, status=JobStatus.done, finished_at=long_ago)
    session.add_all([stuck, old])
    session.flush()
    stuck_id, old_id = stuck.id, old.id
    session.execute(update(Job).where(Job.id == stuck_id).values(heartbeat_at=long_ago))
    service.recover_stale(session)  # what every claim does first
    assert _job(session, stuck_id).status is JobStatus.queued
    assert "interrupted" in _job(session, stuck_id).message
    service.claim_next(session)
    assert session.scalar(select(Job.id).where(Job.id == old_id)) is None
