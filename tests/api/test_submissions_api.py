"""API v1 reviews (submissions) and objective reports: who reads what (as the pages), filters, pages, JSON 404."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import CycleStatus
from app.submissions.models import SubmissionStatus
from tests.api.helpers import auth, auth_for, review
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_cycle, set_answers


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


def test_detail_has_sections_reports_and_every_answer_with_its_version(client: TestClient, session: Session) -> None:
    submission, focal = review(session, "THA")
    set_answers(session, submission, "section:preparation", {"preparation": "Ministries and civil society met."})
    set_answers(session, submission, "objective:6", {"progress_rating": 3, "narrative": "Fair recruitment"})
    set_answers(session, submission, "objective:6", {"narrative": "Fair recruitment rules"})
    submission.status = SubmissionStatus.submitted
    session.flush()
    body = client.get(f"/api/v1/submissions/{submission.id}", headers=auth(session, Role.admin)).json()
    assert body["country"] == "THA" and body["status"] == "submitted" and body["cycle"] == submission.review_cycle.name
    sections = body["sections"]
    assert [s["key"] for s in sections] == [
        "preparation", "policy_environment", "means_of_implementation", "next_steps",
    ]  # fmt: skip
    assert sections[0]["complete"] and not sections[1]["complete"] and sections[1]["missing"]
    assert sections[0]["title"] and "body" not in sections[0]
    reports = body["objective_reports"]
    assert [r["number"] for r in reports] == list(range(1, 24))
    assert reports[5]["rating"] == 3 and reports[5]["reporting"] == "reported" and reports[0]["rating"] is None
    answers = body["answers"]
    assert list(answers) == [f"section:{s['key']}" for s in sections] + [f"objective:{n}" for n in range(1, 24)]
    text = answers["section:preparation"]["preparation"]
    assert text["value"] == "Ministries and civil society met." and text["version"] == 1 and text["updated_at"]
    assert answers["section:next_steps"] == {}
    assert answers["objective:6"]["narrative"]["value"] == "Fair recruitment rules"
    assert answers["objective:6"]["narrative"]["version"] == 2
    assert answers["objective:6"]["progress_rating"]["value"] == 3
    assert answers["objective:1"] == {"reporting": answers["objective:1"]["reporting"]}  # the default only
    assert answers["objective:1"]["reporting"]["value"] == "reported"
    # The focal point reads their own; the public (another State's focal point) reads it only once published.
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=auth_for(session, focal)).status_code == 200
    other = auth(session, Role.focal_point, "VNM")
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=other).status_code == 404
    submission.status = SubmissionStatus.published
    session.flush()
    public = client.get(f"/api/v1/submissions/{submission.id}", headers=other).json()
    assert public["answers"]["objective:6"]["narrative"]["value"] == "Fair recruitment rules"


def test_objective_report_carries_its_answers_and_unknown_numbers_are_rejected(
    client: TestClient, session: Session
) -> None:
    submission, _focal = review(session, "THA")
    set_answers(session, submission, "objective:6", {"progress_rating": 2, "narrative": "Fair recruitment"})
    set_answers(session, submission, "objective:7", {"reporting": "not_reported", "not_reported_reason": "Later."})
    submission.status = SubmissionStatus.published
    session.flush()
    headers = auth(session, Role.secretariat)
    report = client.get(f"/api/v1/submissions/{submission.id}/objectives/6", headers=headers).json()
    assert report["number"] == 6 and report["country"] == "THA" and report["rating"] == 2
    assert report["answers"]["narrative"]["value"] == "Fair recruitment" and report["answers"]["narrative"]["version"]
    assert report["complete"] and report["reporting"] == "reported"
    left_out = client.get(f"/api/v1/submissions/{submission.id}/objectives/7", headers=headers).json()
    assert left_out["reporting"] == "not_reported" and left_out["rating"] is None
    assert left_out["answers"]["not_reported_reason"]["value"] == "Later."
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
    assert body["answers"]["objective:3"]["reporting"]["value"] == "reported"  # the questionnaire's default
    again = client.post("/api/v1/submissions", json={"cycle_id": cycle.id}, headers=headers)
    assert again.status_code == 409 and "already been started" in again.json()["message"]
    assert client.post("/api/v1/submissions", json={"cycle_id": 999999}, headers=headers).status_code == 404
    assert client.post("/api/v1/submissions", json={"cycle_id": "x"}, headers=headers).status_code == 422
    secretariat = auth(session, Role.secretariat)
    assert client.post("/api/v1/submissions", json={"cycle_id": cycle.id}, headers=secretariat).status_code == 403
    closed = make_cycle(session, status=CycleStatus.closed)
    refused = client.post("/api/v1/submissions", json={"cycle_id": closed.id}, headers=headers)
    assert refused.status_code == 409
