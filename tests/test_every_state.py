"""Every page of a submission, in every status the database allows, as every role: 200 or a deliberate 303/403/404.

The submissions are written straight to the database, including states the workflow itself would not leave
behind (sent back without a decision on record, parts marked reopened in any status, an open thread on a published
review, every stamp missing), because a page must work for whatever the database holds.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role, User
from app.comments.models import Comment, CommentThread, ThreadTarget
from app.submissions.models import Submission, SubmissionStatus
from tests.factories import make_cycle, make_submission, make_user, set_answers

ROLES: list[tuple[str, Role | None, str | None]] = [
    ("visitor", None, None),
    ("preparer", Role.preparer, None),
    ("own_focal_point", Role.focal_point, "THA"),
    ("other_focal_point", Role.focal_point, "PHL"),
    ("secretariat", Role.secretariat, None),
    ("admin", Role.admin, None),
    ("stakeholder", Role.stakeholder, None),
]
DELIBERATE = {200, 303, 403, 404}


def _odd_submission(session: Session, status: SubmissionStatus, *, bare: bool) -> Submission:
    """Thailand's review in ``status``: ``bare`` has nothing on record beyond its parts (no decision, no stamps);
    otherwise an open thread, reopened parts, a not-reported objective and a rating whatever the status."""
    author = make_user(session, role=Role.focal_point, country="THA")
    submission = make_submission(session, focal_point=author, cycle=make_cycle(session))
    submission.status = status
    if not bare:
        reviewer = make_user(session, role=Role.secretariat)
        first = sorted(submission.objective_reports, key=lambda r: r.objective.number)[0]
        set_answers(session, submission, "objective:1", {"progress_rating": 5, "narrative": "A narrative"})
        first.reopened = True
        set_answers(
            session, submission, "objective:2", {"reporting": "not_reported", "not_reported_reason": "Not this cycle"}
        )
        submission.sections[0].reopened = True
        thread = CommentThread(
            submission_id=submission.id,
            target_kind=ThreadTarget.objective,
            target_id=first.id,
            created_by_id=reviewer.id,
        )
        thread.comments = [Comment(author_id=reviewer.id, body="A question")]
        session.add(thread)
    session.flush()
    return submission


def _submission_pages(app: FastAPI, submission: Submission) -> list[str]:
    """Every GET page that takes a submission id, filled in for this submission."""
    samples: dict[str, Any] = {
        "submission_id": submission.id,
        "key": submission.sections[0].key,
        "number": 1,
        "file_id": 1,  # no document is attached: 404
        "fmt": "docx",  # the offline download (app/offline)
        "upload_id": 1,  # no offline upload is waiting: 404
    }
    pages = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.route.path
        if not isinstance(route, APIRoute) or "GET" not in route.methods or "{submission_id}" not in path:
            continue
        if path.startswith("/api/") or path.endswith(".pdf"):
            continue  # the PDF prints the whole review's page (tests/submissions/test_whole.py), seconds each
        names = re.findall(r"{([^}:]+)", path)
        if any(n not in samples for n in names):
            pytest.fail(f"no sample value for {path}")
        pages.append(re.sub(r"{([^}:]+)(:[^}]*)?}", lambda m: str(samples[m.group(1)]), path))
    assert pages, "the submission's pages were not found"
    return pages


def _client_for(app: FastAPI, session: Session, user: User | None) -> TestClient:
    client = TestClient(app, base_url="https://127.0.0.1")
    if user is not None:
        client.cookies.set(SESSION_COOKIE, sessions.start_session(session, user=user).token)
    return client


@pytest.mark.parametrize("bare", [True, False], ids=["bare", "with_threads_and_reopened_parts"])
@pytest.mark.parametrize("status", list(SubmissionStatus), ids=lambda s: s.value)
def test_every_page_of_a_submission_in_every_state_for_every_role(
    app: FastAPI, session: Session, status: SubmissionStatus, bare: bool
) -> None:
    submission = _odd_submission(session, status, bare=bare)
    pages = [
        *_submission_pages(app, submission),
        "/",
        "/my",
        "/review",
        "/dashboards",
        "/dashboards/countries/THA",
        "/dashboards/objectives/1",
        "/search?q=narrative",
        "/exports",
        "/commitments",
        "/my/organisation",
        "/organisations/join",
        "/organisations/requests",
        "/contributions",
        f"/questionnaires/{submission.review_cycle_id}?questionnaire=stakeholders",
    ]
    problems = []
    for name, role, country in ROLES:
        user = make_user(session, role=role, country=country) if role else None
        with _client_for(app, session, user) as client:
            for page in pages:
                response = client.get(page, follow_redirects=False)
                if response.status_code not in DELIBERATE:
                    problems.append((name, page, response.status_code, response.text[:300]))
    assert not problems, problems
