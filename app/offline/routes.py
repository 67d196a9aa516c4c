"""The review offline: its page (downloads, the upload form), the downloads, the upload, its preview and accepting.

The upload is kept (``offline_upload``) and the browser sent to its preview, a GET that reads the file again
against the answers as they are then; accepting posts the chosen questions and comes back to the preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app import files
from app.auth.dependencies import CurrentUser, FocalPointUser
from app.auth.models import Role, User
from app.db import SessionDep
from app.offline import service
from app.submissions.dependencies import ReadableSubmission
from app.submissions.models import Submission
from app.submissions.pages import can_edit
from app.web.limits import too_large_message
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _context(request: Request, user: User, submission: Submission, **extra: object) -> dict[str, object]:
    limit = request.app.state.settings.max_upload_bytes
    return {
        "submission": submission,
        "can_upload": user.role is Role.focal_point and user.country_id == submission.country_id,
        "can_edit": can_edit(user, submission),
        "limit": too_large_message(limit) if limit else "",
        "message": "",
        **extra,
    }


@router.get("/submissions/{submission_id}/offline", name="offline:page")
def page(request: Request, user: CurrentUser, submission: ReadableSubmission) -> Response:
    service.ensure_can_download(user, submission)
    return render(request, "offline/page.html", _context(request, user, submission))


@router.get("/submissions/{submission_id}/offline/review.{fmt}", name="offline:download")
def download(session: SessionDep, user: CurrentUser, submission: ReadableSubmission, fmt: str) -> Response:
    name, data = service.export(session, user=user, submission=submission, fmt=fmt)
    return files.download(name, service.MEDIA_TYPES[fmt], data)


@router.post("/submissions/{submission_id}/offline/uploads", name="offline:upload")
def upload(
    request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission,
    file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    data = file.file.read()
    try:
        kept = service.keep_upload(session, user=user, submission=submission, name=file.filename or "", data=data,
                                   limit=request.app.state.settings.max_upload_bytes or len(data) + 1)  # fmt: skip
    except service.UploadRefused as exc:
        context = _context(request, user, submission, message=exc.message)
        return render(request, "offline/page.html", context, status_code=422)
    url = request.url_for("offline:preview", submission_id=submission.id, upload_id=kept.id)
    return RedirectResponse(str(url.path), status_code=303)


@router.get("/submissions/{submission_id}/offline/uploads/{upload_id}", name="offline:preview")
def preview(
    request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission, upload_id: int
) -> Response:
    kept = service.get_upload(session, user=user, submission=submission, upload_id=upload_id)
    try:
        plan = service.preview(session, user=user, submission=submission, upload=kept)
    except service.UploadRefused as exc:  # the questionnaire changed since the upload, say
        context = _context(request, user, submission, message=exc.message)
        return render(request, "offline/page.html", context, status_code=422)
    params = request.query_params
    context = _context(request, user, submission, plan=plan, upload=kept, saved=params.get("saved"),
                       failed=params.getlist("failed"))  # fmt: skip
    return render(request, "offline/preview.html", context)


async def _accept_form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


@router.post("/submissions/{submission_id}/offline/uploads/{upload_id}/accept", name="offline:accept")
def accept(
    request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission, upload_id: int,
    form: Annotated[dict[str, list[str]], Depends(_accept_form)],
) -> Response:  # fmt: skip
    """``accept``: the rows to save (``part|key``; one, when a row's own button was pressed); ``use:<row>``: a
    conflict's choice, ``file`` or ``product``; ``version:<row>``: the product's answer version the preview showed."""
    kept = service.get_upload(session, user=user, submission=submission, upload_id=upload_id)
    only = (form.get("only") or [""])[0]
    chosen = [only] if only else form.get("accept", [])
    keep_product = {row for row in chosen if (form.get(f"use:{row}") or ["file"])[0] == "product"}
    seen = {row: int(v[0]) for row in chosen if (v := form.get(f"version:{row}")) and v[0].isdecimal()}
    result = service.accept(session, user=user, submission=submission, upload=kept, chosen=chosen,
                            keep_product=keep_product, seen=seen)  # fmt: skip
    url = request.url_for("offline:preview", submission_id=submission.id, upload_id=kept.id)
    query = f"?saved={len(result.saved)}" + "".join(f"&failed={row}" for row, _why in result.failed)
    return RedirectResponse(str(url.path) + query.replace(":", "%3A").replace("|", "%7C"), status_code=303)
