"""The secretariat's decisions on a submission (the forms are on the submission's page)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.dependencies import SecretariatUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import AppError
from app.review import service
from app.submissions import queries as submissions_queries
from app.submissions.dependencies import ReadableSubmission
from app.submissions.models import Submission
from app.submissions.pages import detail_response

router = APIRouter(include_in_schema=False)

Version = Annotated[int | None, Form()]
Reason = Annotated[str, Form(max_length=20_000)]
Parts = Annotated[list[str], Form()]


def _done(submission_id: int, message: str) -> Response:
    return RedirectResponse(f"/submissions/{submission_id}?decided={message}", status_code=303)


def _refused(
    request: Request, session: SessionDep, submission: ReadableSubmission, exc: AppError, reason: str, parts: list[str]
) -> Response:
    """Nothing changed: show the page again with the message beside the decision form and the input kept."""
    if exc.status_code not in (409, 422):
        raise exc
    submission = submissions_queries.get_submission(session, submission.id) or submission
    form = {"reason": reason, "parts": parts, "error": exc.message, "field": exc.field}
    return detail_response(request, session, submission, decision_form=form, status_code=exc.status_code)


def _decide(
    request: Request,
    session: SessionDep,
    user: User,
    submission: Submission,
    decide: Callable[..., object],
    version: int | None,
    outcome: str,
    reason: str = "",
    parts: list[str] | None = None,
) -> Response:
    """Apply one decision; if it is refused, show the page again with the reason and the input kept."""
    try:
        decide(session, user=user, submission=submission, version=version)
    except AppError as exc:
        return _refused(request, session, submission, exc, reason, parts or [])
    return _done(submission.id, outcome)


@router.post("/review/submissions/{submission_id}/request-changes", name="review:request_changes")
def request_changes(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    reason: Reason = "",
    parts: Parts = [],  # noqa: B006 - FastAPI copies defaults
    version: Version = None,
) -> Response:
    decide = partial(service.request_changes, reason=reason, parts=parts)
    return _decide(request, session, user, submission, decide, version, "changes_requested", reason, parts)


@router.post("/review/submissions/{submission_id}/approve", name="review:approve")
def approve(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    version: Version = None,
) -> Response:
    return _decide(request, session, user, submission, service.approve, version, "approved")


@router.post("/review/submissions/{submission_id}/publish", name="review:publish")
def publish(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    version: Version = None,
) -> Response:
    return _decide(request, session, user, submission, service.publish, version, "published")


@router.post("/review/submissions/{submission_id}/reopen", name="review:reopen")
def reopen(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    reason: Reason = "",
    parts: Parts = [],  # noqa: B006
    version: Version = None,
) -> Response:
    decide = partial(service.reopen, reason=reason, parts=parts)
    return _decide(request, session, user, submission, decide, version, "reopened", reason, parts)
