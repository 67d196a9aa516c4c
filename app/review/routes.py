"""The secretariat's decisions on a submission (the forms are on the submission's page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.dependencies import SecretariatUser
from app.db import SessionDep
from app.errors import AppError
from app.review import service
from app.submissions import queries as submissions_queries
from app.submissions.dependencies import ReadableSubmission
from app.submissions.routes import detail_response

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
    try:
        service.request_changes(session, user=user, submission=submission, reason=reason, parts=parts, version=version)
    except AppError as exc:
        return _refused(request, session, submission, exc, reason, parts)
    return _done(submission.id, "changes_requested")


@router.post("/review/submissions/{submission_id}/approve", name="review:approve")
def approve(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    version: Version = None,
) -> Response:
    try:
        service.approve(session, user=user, submission=submission, version=version)
    except AppError as exc:
        return _refused(request, session, submission, exc, "", [])
    return _done(submission.id, "approved")


@router.post("/review/submissions/{submission_id}/publish", name="review:publish")
def publish(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    version: Version = None,
) -> Response:
    try:
        service.publish(session, user=user, submission=submission, version=version)
    except AppError as exc:
        return _refused(request, session, submission, exc, "", [])
    return _done(submission.id, "published")


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
    try:
        service.reopen(session, user=user, submission=submission, reason=reason, parts=parts, version=version)
    except AppError as exc:
        return _refused(request, session, submission, exc, reason, parts)
    return _done(submission.id, "reopened")
