"""Deciding with confidence: a reason per reopened part, the confirmation pages of approve and publish, and refused
decisions answered with an error summary at the top of the page they came from."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.comments.service import open_thread
from app.errors import ValidationFailed
from app.review import service
from app.review.models import ReviewDecision, ReviewSnapshot
from app.submissions import service as submissions
from app.submissions.models import Submission, SubmissionStatus
from tests.commitments.helpers import make_commitment
from tests.factories import complete_submission, make_submission, make_user, post_form, sign_in


@pytest.fixture
def focal_point(session: Session) -> User:
    return make_user(session, role=Role.focal_point, country="PHL")


@pytest.fixture
def reviewer(session: Session) -> User:
    return make_user(session, role=Role.secretariat)


@pytest.fixture
def submitted(session: Session, focal_point: User) -> Submission:
    submission = make_submission(session, focal_point=focal_point)
    complete_submission(session, submission)
    submissions.submit(session, user=focal_point, submission=submission)
    return submission


def test_each_reopened_part_keeps_its_own_reason(session: Session, reviewer: User, submitted: Submission) -> None:
    decision = service.request_changes(
        session,
        user=reviewer,
        submission=submitted,
        reason="",
        parts=["objective:1", "objective:2"],
        part_reasons={"objective:1": "Add the 2024 survey.", "objective:2": " Name the partners. "},
        version=submitted.version,
    )
    assert decision.reason == ""
    rows = session.scalars(select(ReviewSnapshot).where(ReviewSnapshot.decision_id == decision.id)).all()
    assert {r.part: r.reason for r in rows} == {
        "objective:1": "Add the 2024 survey.",
        "objective:2": "Name the partners.",
    }


def test_a_part_without_a_reason_needs_the_reason_for_all(
    session: Session, reviewer: User, submitted: Submission
) -> None:
    with pytest.raises(ValidationFailed, match="Give the reason"):
        service.request_changes(
            session,
            user=reviewer,
            submission=submitted,
            reason="",
            parts=["objective:1", "objective:2"],
            part_reasons={"objective:1": "Add the 2024 survey."},
            version=submitted.version,
        )
    with pytest.raises(ValidationFailed, match="Mark this part") as refused:
        service.request_changes(
            session,
            user=reviewer,
            submission=submitted,
            reason="For all.",
            parts=["objective:1"],
            part_reasons={"objective:3": "Not marked."},
            version=submitted.version,
        )
    assert refused.value.field == "reason:objective:3"
    assert submitted.status is SubmissionStatus.submitted
    assert session.scalar(select(ReviewDecision.id).where(ReviewDecision.kind == "request_changes")) is None


def test_part_reasons_from_the_whole_page_reach_the_focal_point(
    app, client: TestClient, session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    sign_in(client, reviewer)
    url = f"/review/submissions/{submitted.id}/request-changes"
    form = {"parts": ["objective:1"], "reason:objective:1": "", "reason:objective:2": "Typed, not marked.",
            "reason": "", "origin": "whole", "version": submitted.version}  # fmt: skip
    refused = post_form(client, url, form)
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text and "autofocus" in refused.text
    assert 'href="#reason-objective-2"' in refused.text  # the summary links to the field
    assert "Typed, not marked." in refused.text  # what was typed is kept
    assert "The whole review of" in refused.text  # the page the decision came from
    form["reason:objective:2"] = ""
    form["reason:objective:1"] = "Please add **2024** figures."
    assert post_form(client, url, form, follow_redirects=False).status_code == 303
    fp = TestClient(app, base_url="https://127.0.0.1")
    sign_in(fp, focal_point)
    home = fp.get("/my").text
    assert "The secretariat asked for changes" in home and "<strong>2024</strong>" in home
    assert "Parts reopened for you to change" in home and "Objective 1" in home
    assert "<strong>2024</strong>" in fp.get(f"/submissions/{submitted.id}").text
    form_page = fp.get(f"/submissions/{submitted.id}/objectives/1").text
    assert "The secretariat asked for changes to this part" in form_page and "<strong>2024</strong>" in form_page
    assert "The secretariat asked" not in fp.get(f"/submissions/{submitted.id}/objectives/2").text


def test_approve_and_publish_show_what_will_happen_first(
    client: TestClient, session: Session, reviewer: User, focal_point: User, submitted: Submission
) -> None:
    make_commitment(session, country="PHL")
    sign_in(client, reviewer)
    detail = client.get(f"/submissions/{submitted.id}").text
    assert f'href="/review/submissions/{submitted.id}/approve"' in detail  # a link to the confirmation, no button
    assert f'action="/review/submissions/{submitted.id}/approve"' not in detail
    thread = open_thread(session, user=reviewer, submission=submitted, part="objective:4", body="Which source?")
    page = client.get(f"/review/submissions/{submitted.id}/approve")
    assert page.status_code == 200 and "What will happen" in page.text
    assert "1 comment thread(s) are still open" in page.text
    refused = post_form(client, f"/review/submissions/{submitted.id}/approve",
                        {"version": submitted.version, "origin": "approve"})  # fmt: skip
    assert refused.status_code == 409
    assert 'class="error-summary"' in refused.text and "Resolve them before approving" in refused.text
    from app.comments import service as comments

    comments.resolve(session, user=reviewer, submission=submitted, thread=thread, version=thread.version)
    session.refresh(submitted)
    approved = post_form(client, f"/review/submissions/{submitted.id}/approve",
                         {"version": submitted.version, "origin": "approve"}, follow_redirects=False)  # fmt: skip
    assert approved.status_code == 303
    session.refresh(submitted)
    page = client.get(f"/review/submissions/{submitted.id}/publish")
    assert "What becomes public" in page.text and "1 pledge of Philippines" in page.text
    assert "Progress was made." in page.text.split("The answers that become public")[1]  # the answers themselves
    assert "Which source?" not in page.text  # threads are never public
    published = post_form(client, f"/review/submissions/{submitted.id}/publish",
                          {"version": submitted.version, "origin": "publish"}, follow_redirects=False)  # fmt: skip
    assert published.status_code == 303
    session.refresh(submitted)
    assert submitted.status is SubmissionStatus.published
