"""API v1 reviews (submissions) and objective reports: who reads what (as the pages), filters, pages, JSON 404."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.submissions.models import SubmissionStatus
from tests.api.helpers import auth
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_cycle


def test_secretariat_lists_every_review_with_filters_and_pages(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    tha = submission_with_status(session, "THA", SubmissionStatus.draft, cycle=cycle)
    submission_with_status(session, "VNM", SubmissionStatus.submitted, cycle=cycle)
    submission_with_status(session, "FJI", SubmissionStatus.published, cycle=cycle)
    headers = auth(session, Role.secretariat)
    everything = client.get(f"/api/v1/submissions?cycle={cycle.id}", headers=headers).json()
    assert everything["total"] == 3
    assert [s["country"] for s in everything["items"]] == ["FJI", "THA", "VNM"]
    page = client.get(f"/api/v1/submissions?cycle={cycle.id}&limit=1&offset=1", headers=headers).json()
    assert page["total"] == 3 and [s["country"] for s in page["items"]] == ["THA"]
    one = client.get(f"/api/v1/submissions?cycle={cycle.id}&country=tha", headers=headers).json()
    assert [s["id"] for s in one["items"]] == [tha.id] and one["items"][0]["cycle"] == cycle.name
    drafts = client.get(f"/api/v1/submissions?cycle={cycle.id}&status=draft", headers=headers).json()
    assert [s["country"] for s in drafts["items"]] == ["THA"]
    pacific = client.get(f"/api/v1/submissions?cycle={cycle.id}&subregion=Pacific", headers=headers).json()
    assert [s["country"] for s in pacific["items"]] == ["FJI"] and pacific["items"][0]["subregion"] == "Pacific"


def test_unknown_subregion_and_bad_paging_are_422_naming_the_field(client: TestClient, session: Session) -> None:
    headers = auth(session, Role.secretariat)
    response = client.get("/api/v1/submissions?subregion=Atlantis", headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "subregion"
    response = client.get("/api/v1/submissions?limit=0", headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "limit"


def test_focal_point_reads_their_own_countrys_reviews_and_published_ones(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    own = submission_with_status(session, "THA", SubmissionStatus.draft, cycle=cycle)
    public = submission_with_status(session, "VNM", SubmissionStatus.published, cycle=cycle)
    other = submission_with_status(session, "LAO", SubmissionStatus.approved, cycle=cycle)
    headers = auth(session, Role.focal_point, "THA")
    listed = client.get(f"/api/v1/submissions?cycle={cycle.id}", headers=headers).json()
    assert sorted(s["id"] for s in listed["items"]) == sorted([own.id, public.id]) and listed["total"] == 2
    assert client.get(f"/api/v1/submissions/{own.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/submissions/{public.id}", headers=headers).status_code == 200  # as the public may
    for path in (f"/api/v1/submissions/{other.id}", f"/api/v1/submissions/{other.id}/objectives/1"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json()["message"]


def test_preparer_reads_only_approved_or_published_reviews(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    draft = submission_with_status(session, "THA", SubmissionStatus.draft, cycle=cycle)
    submitted = submission_with_status(session, "VNM", SubmissionStatus.submitted, cycle=cycle)
    approved = submission_with_status(session, "FJI", SubmissionStatus.approved, cycle=cycle)
    published = submission_with_status(session, "IND", SubmissionStatus.published, cycle=cycle)
    headers = auth(session, Role.preparer)
    listed = client.get(f"/api/v1/submissions?cycle={cycle.id}", headers=headers).json()
    assert {s["id"] for s in listed["items"]} == {approved.id, published.id} and listed["total"] == 2
    for hidden in (draft, submitted):
        assert client.get(f"/api/v1/submissions/{hidden.id}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/submissions/{hidden.id}/objectives/2", headers=headers).status_code == 404
    assert client.get(f"/api/v1/submissions/{approved.id}/objectives/2", headers=headers).status_code == 200


def test_detail_has_sections_and_a_summary_of_every_objective_report(client: TestClient, session: Session) -> None:
    submission = submission_with_status(session, "THA", SubmissionStatus.submitted, text="Border posts")
    submission.sections[0].body = "Ministries and civil society met four times."
    session.flush()
    body = client.get(f"/api/v1/submissions/{submission.id}", headers=auth(session, Role.admin)).json()
    assert body["country"] == "THA" and body["status"] == "submitted"
    assert [s["key"] for s in body["sections"]] == [
        "preparation", "policy_environment", "means_of_implementation", "next_steps",
    ]  # fmt: skip
    assert "Ministries and civil society met four times." in {s["body"] for s in body["sections"]}
    reports = body["objective_reports"]
    assert [r["number"] for r in reports] == list(range(1, 24))
    assert all(r["complete"] and r["progress_rating"] == "under_way" for r in reports)


def test_objective_report_carries_its_texts_and_unknown_numbers_are_rejected(
    client: TestClient, session: Session
) -> None:
    submission = submission_with_status(session, "THA", SubmissionStatus.published, text="Fair recruitment")
    headers = auth(session, Role.secretariat)
    report = client.get(f"/api/v1/submissions/{submission.id}/objectives/6", headers=headers).json()
    assert report["number"] == 6 and report["country"] == "THA"
    assert "Fair recruitment" in report["narrative"] and report["progress_rating"] == "under_way"
    assert client.get(f"/api/v1/submissions/{submission.id}/objectives/24", headers=headers).status_code == 422
    missing = client.get("/api/v1/submissions/999999/objectives/1", headers=headers)
    assert missing.status_code == 404 and missing.json()["message"]


def test_no_token_is_401(client: TestClient, session: Session) -> None:
    submission = submission_with_status(session, "THA", SubmissionStatus.published)
    for path in ("/api/v1/submissions", f"/api/v1/submissions/{submission.id}"):
        response = client.get(path)
        assert response.status_code == 401 and response.json()["message"]


def test_a_focal_point_starts_their_countrys_review_through_the_api(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    headers = auth(session, Role.focal_point, "KHM")
    started = client.post("/api/v1/submissions", json={"cycle_id": cycle.id}, headers=headers)
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["country"] == "KHM" and body["status"] == "draft" and len(body["objective_reports"]) == 23
    again = client.post("/api/v1/submissions", json={"cycle_id": cycle.id}, headers=headers)
    assert again.status_code == 409 and "already been started" in again.json()["message"]
    assert client.post("/api/v1/submissions", json={"cycle_id": 999999}, headers=headers).status_code == 404
    assert client.post("/api/v1/submissions", json={"cycle_id": "x"}, headers=headers).status_code == 422
    secretariat = auth(session, Role.secretariat)
    assert client.post("/api/v1/submissions", json={"cycle_id": cycle.id}, headers=secretariat).status_code == 403
    closed = make_cycle(session, status=CycleStatus.closed)
    refused = client.post("/api/v1/submissions", json={"cycle_id": closed.id}, headers=headers)
    assert refused.status_code == 409
