"""The secretariat's decisions on a submission (the forms are on the submission's page)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.dependencies import SecretariatUser
from app.auth.models import User
from app.comments.service import open_threads_message
from app.db import SessionDep
from app.errors import AppError
from app.review import service
from app.submissions import queries as submissions_queries
from app.submissions.dependencies import ReadableSubmission
from app.submissions.models import DecisionKind, Submission
from app.submissions.pages import detail_response
from app.submissions.whole import whole_parts, whole_response
from app.web.templating import render

router = APIRouter(include_in_schema=False)

Version = Annotated[int | None, Form()]
Reason = Annotated[str, Form(max_length=20_000)]
Parts = Annotated[list[str], Form()]


def _done(submission_id: int, message: str) -> Response:
    return RedirectResponse(f"/submissions/{submission_id}?decided={message}", status_code=303)


async def posted_part_reasons(request: Request) -> dict[str, str]:
    """The reasons given per part: fields ``reason:<part key>`` (the whole review's marks), as typed."""
    form = await request.form()  # parsed once: app/web/inputs.py has checked it already
    return {
        name[len("reason:") :]: value[: service.REASON_MAX * 2]
        for name, value in form.multi_items()
        if name.startswith("reason:") and isinstance(value, str)
    }


PartReasons = Annotated[dict[str, str], Depends(posted_part_reasons)]
Origin = Annotated[str, Form(max_length=20)]


def _refused(
    request: Request,
    session: SessionDep,
    submission: ReadableSubmission,
    exc: AppError,
    reason: str,
    parts: list[str],
    part_reasons: dict[str, str] | None = None,
    origin: str = "",
) -> Response:
    """Nothing changed: show the page the decision came from again, an error summary at its top (focused) and the
    message beside the field, the input kept."""
    if exc.status_code not in (409, 422):
        raise exc
    submission = submissions_queries.get_submission(session, submission.id) or submission
    form: dict[str, Any] = {"reason": reason, "parts": parts, "part_reasons": part_reasons or {}}
    form.update(error=exc.message, field=exc.field)
    if origin == "whole":
        return whole_response(request, session, submission, decision_form=form, status_code=exc.status_code)
    if origin in ("approve", "publish"):
        return _confirmation(request, session, submission, origin, error=exc.message, status_code=exc.status_code)
    return detail_response(request, session, submission, decision_form=form, status_code=exc.status_code)


def _confirmation(
    request: Request,
    session: SessionDep,
    submission: Submission,
    kind: str,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    """What approving or publishing will do, before the reviewer confirms."""
    user = request.state.user_session.user
    context: dict[str, Any] = {
        "submission": submission,
        "kind": kind,
        "error": error,
        "open_threads": open_threads_message(session, submission) if kind == "approve" else None,
        "parts": whole_parts(session, user, submission) if kind == "publish" else [],
        "pledges": submissions_queries.list_country_commitments(session, submission.country_id),
        "values": submissions_queries.count_country_values(session, submission.country_id),
        "already_public": submissions_queries.other_published(session, submission),
        "allowed": submission.status in service.ALLOWED[DecisionKind(kind)],
    }
    return render(request, f"review/confirm_{kind}.html", context, status_code=status_code)


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
    part_reasons: dict[str, str] | None = None,
    origin: str = "",
) -> Response:
    """Apply one decision; if it is refused, show the page again with the reason and the input kept."""
    try:
        decide(session, user=user, submission=submission, version=version)
    except AppError as exc:
        return _refused(request, session, submission, exc, reason, parts or [], part_reasons, origin)
    return _done(submission.id, outcome)


@router.post("/review/submissions/{submission_id}/request-changes", name="review:request_changes")
def request_changes(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    part_reasons: PartReasons,
    reason: Reason = "",
    parts: Parts = [],  # noqa: B006 - FastAPI copies defaults
    version: Version = None,
    origin: Origin = "",
) -> Response:
    decide = partial(service.request_changes, reason=reason, parts=parts, part_reasons=part_reasons)
    outcome = "changes_requested"
    return _decide(request, session, user, submission, decide, version, outcome, reason, parts, part_reasons, origin)


@router.get("/review/submissions/{submission_id}/approve", name="review:confirm_approve")
def confirm_approve(
    request: Request, session: SessionDep, _user: SecretariatUser, submission: ReadableSubmission
) -> Response:
    """What approving does, and the button that does it."""
    return _confirmation(request, session, submission, "approve")


@router.post("/review/submissions/{submission_id}/approve", name="review:approve")
def approve(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    version: Version = None,
    origin: Origin = "",
) -> Response:
    return _decide(request, session, user, submission, service.approve, version, "approved", origin=origin)


@router.get("/review/submissions/{submission_id}/publish", name="review:confirm_publish")
def confirm_publish(
    request: Request, session: SessionDep, _user: SecretariatUser, submission: ReadableSubmission
) -> Response:
    """Exactly what becomes public, and the button that publishes it."""
    return _confirmation(request, session, submission, "publish")


@router.post("/review/submissions/{submission_id}/publish", name="review:publish")
def publish(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    version: Version = None,
    origin: Origin = "",
) -> Response:
    return _decide(request, session, user, submission, service.publish, version, "published", origin=origin)


@router.post("/review/submissions/{submission_id}/reopen", name="review:reopen")
def reopen(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    part_reasons: PartReasons,
    reason: Reason = "",
    parts: Parts = [],  # noqa: B006
    version: Version = None,
    origin: Origin = "",
) -> Response:
    decide = partial(service.reopen, reason=reason, parts=parts, part_reasons=part_reasons)
    return _decide(request, session, user, submission, decide, version, "reopened", reason, parts, part_reasons, origin)
