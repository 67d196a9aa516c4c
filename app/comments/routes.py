"""Comment threads: open (reviewers), answer, resolve and reopen. htmx swaps the part's threads in place; without
JavaScript the forms post normally and come back to the page they were sent from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import CurrentUser, SecretariatUser
from app.auth.models import User
from app.comments import queries, service
from app.comments.models import CommentThread
from app.comments.panels import panel
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.i18n import _
from app.submissions import queries as submissions_queries
from app.submissions.dependencies import ReadableSubmission
from app.submissions.models import Submission
from app.visibility import ensure_can_discuss
from app.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

Body = Annotated[str, Form(max_length=100_000)]
Next = Annotated[str, Form(max_length=500)]
Version = Annotated[int | None, Form()]


def _safe_next(next_url: str, submission: Submission) -> str:
    if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return f"/submissions/{submission.id}"


def _answer(
    request: Request,
    session: Session,
    user: User,
    submission: Submission,
    part: str,
    next_url: str,
    error: AppError | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    if error is None and not is_htmx(request):
        return RedirectResponse(_safe_next(next_url, submission), status_code=303)
    if error is not None and error.status_code not in (409, 422):
        raise error
    extra: dict[str, Any] = {"next": next_url}
    if error is not None:
        extra["message"] = error.message
        if form is not None:
            extra["form"] = {**form, "error": getattr(error, "errors", {}).get("body", "")}
    context = {"submission": submission, "panel": panel(session, user, submission, part, **extra)}
    status = error.status_code if error is not None else 200
    template = "comments/_panel.html" if is_htmx(request) else "comments/page.html"
    return render(request, template, context, status_code=status)


def _thread(session: Session, user: User, thread_id: int) -> tuple[CommentThread, Submission, str]:
    thread = queries.get_thread(session, thread_id)
    submission = submissions_queries.get_submission(session, thread.submission_id) if thread else None
    if thread is None or submission is None:
        raise NotFound(_("The page or record was not found."))
    ensure_can_discuss(user, submission.country_id)
    return thread, submission, queries.part_key(submission, thread) or ""


@router.post("/submissions/{submission_id}/threads", name="comments:open")
def open_thread(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission: ReadableSubmission,
    part: Annotated[str, Form(max_length=64)] = "",
    body: Body = "",
    next: Next = "",
) -> Response:
    ensure_can_discuss(user, submission.country_id)
    try:
        service.open_thread(session, user=user, submission=submission, part=part, body=body)
    except AppError as exc:
        if queries.target_of(submission, part) is None:
            raise
        form = {"target": "open", "body": body}
        return _answer(request, session, user, submission, part, next, exc, form)
    return _answer(request, session, user, submission, part, next)


@router.post("/threads/{thread_id}/comments", name="comments:reply")
def reply(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    thread_id: int,
    body: Body = "",
    next: Next = "",
) -> Response:
    thread, submission, part = _thread(session, user, thread_id)
    try:
        service.reply(session, user=user, submission=submission, thread=thread, body=body)
    except AppError as exc:
        return _answer(request, session, user, submission, part, next, exc, {"target": thread.id, "body": body})
    return _answer(request, session, user, submission, part, next)


@router.post("/threads/{thread_id}/resolve", name="comments:resolve")
def resolve(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    thread_id: int,
    version: Version = None,
    next: Next = "",
) -> Response:
    thread, submission, part = _thread(session, user, thread_id)
    try:
        service.resolve(session, user=user, submission=submission, thread=thread, version=version)
    except AppError as exc:
        return _answer(request, session, user, submission, part, next, exc)
    return _answer(request, session, user, submission, part, next)


@router.post("/threads/{thread_id}/reopen", name="comments:reopen")
def reopen(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    thread_id: int,
    version: Version = None,
    next: Next = "",
) -> Response:
    thread, submission, part = _thread(session, user, thread_id)
    try:
        service.reopen(session, user=user, submission=submission, thread=thread, version=version)
    except AppError as exc:
        return _answer(request, session, user, submission, part, next, exc)
    return _answer(request, session, user, submission, part, next)
