"""The offline pages of a State's review and of an organisation's contribution: the page (downloads, the upload
form), the downloads, the upload, its preview and accepting.

The upload is kept (``offline_upload``) and the browser sent to its preview, a GET that reads the file again
against the answers as they are then; accepting posts the chosen questions and comes back to the preview."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import files
from app.auth.dependencies import CurrentUser, FocalPointUser, StakeholderUser
from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.contributions import service as contributions
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.i18n import _, get_locale
from app.offline import pledges, service
from app.submissions.dependencies import ReadableSubmission
from app.web.limits import too_large_message
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _links(request: Request, target: service.Target) -> dict[str, str]:
    """The pages of the target: (``back``: its own page; ``page``, ``docx``, ``xlsx``, ``upload``)."""
    if target.is_contribution:
        ref, prefix, back = {"contribution_id": target.record.id}, "offline:contribution_", "contributions:detail"
    else:
        ref, prefix, back = {"submission_id": target.record.id}, "offline:", "submissions:detail"
    return {
        "back": request.url_for(back, **ref).path,
        "page": request.url_for(f"{prefix}page", **ref).path,
        "docx": request.url_for(f"{prefix}download", **ref, fmt="docx").path,
        "xlsx": request.url_for(f"{prefix}download", **ref, fmt="xlsx").path,
        "upload": request.url_for(f"{prefix}upload", **ref).path,
    }


def _context(request: Request, user: User, target: service.Target, **extra: Any) -> dict[str, Any]:
    limit = request.app.state.settings.max_upload_bytes
    try:
        service.ensure_can_upload(user, target)
        can_upload = True
    except AppError:
        can_upload = False
    return {
        "target": target,
        "links": _links(request, target),
        "can_upload": can_upload,
        "limit": too_large_message(limit) if limit else "",
        "message": "",
        **extra,
    }


def _page(request: Request, user: User, target: service.Target) -> Response:
    service.ensure_can_download(user, target)
    return render(request, "offline/page.html", _context(request, user, target))


def _download(session: Session, user: User, target: service.Target, fmt: str) -> Response:
    name, data = service.export(session, user=user, target=target, fmt=fmt)
    return files.download(name, service.MEDIA_TYPES[fmt], data)


def _upload(request: Request, session: Session, user: User, target: service.Target, file: UploadFile) -> Response:
    data = file.file.read()
    try:
        kept = service.keep_upload(session, user=user, target=target, name=file.filename or "", data=data,
                                   limit=request.app.state.settings.max_upload_bytes or len(data) + 1)  # fmt: skip
    except service.UploadRefused as exc:
        context = _context(request, user, target, message=exc.message)
        return render(request, "offline/page.html", context, status_code=422)
    return RedirectResponse(f"{_links(request, target)['page']}/uploads/{kept.id}", status_code=303)


def _preview(request: Request, session: Session, user: User, target: service.Target, upload_id: int) -> Response:
    kept = service.get_upload(session, user=user, target=target, upload_id=upload_id)
    try:
        plan = service.preview(session, user=user, target=target, upload=kept)
    except service.UploadRefused as exc:  # the questionnaire changed since the upload, say
        context = _context(request, user, target, message=exc.message)
        return render(request, "offline/page.html", context, status_code=422)
    params = request.query_params
    context = _context(request, user, target, plan=plan, upload=kept, saved=params.get("saved"),
                       failed=params.getlist("failed"),
                       accept_url=f"{_links(request, target)['page']}/uploads/{kept.id}/accept")  # fmt: skip
    return render(request, "offline/preview.html", context)


async def _accept_form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


AcceptForm = Annotated[dict[str, list[str]], Depends(_accept_form)]


def _accept(
    request: Request, session: Session, user: User, target: service.Target, upload_id: int, form: dict[str, list[str]]
) -> Response:
    """``accept``: the rows to save (``part|key``; ``only``: one, when a row's own button was pressed); ``use:<row>``:
    a conflict's choice, ``file`` or ``product``; ``version:<row>``: the answer version the preview showed."""
    kept = service.get_upload(session, user=user, target=target, upload_id=upload_id)
    chosen, keep_product, seen = _accept_choices(form)
    result = service.accept(session, user=user, target=target, upload=kept, chosen=chosen,
                            keep_product=keep_product, seen=seen)  # fmt: skip
    return _after_accept(_links(request, target)["page"], kept.id, result.saved, result.failed)


def _accept_choices(form: dict[str, list[str]]) -> tuple[list[str], set[str], dict[str, int]]:
    """The rows chosen, those whose conflict keeps the product's version, and the versions the preview showed."""
    only = (form.get("only") or [""])[0]
    chosen = [only] if only else form.get("accept", [])
    keep_product = {row for row in chosen if (form.get(f"use:{row}") or ["file"])[0] == "product"}
    seen = {row: int(v[0]) for row in chosen if (v := form.get(f"version:{row}")) and v[0].isdecimal()}
    return chosen, keep_product, seen


def _after_accept(page: str, upload_id: int, saved: Sequence[object], failed: Sequence[tuple[str, str]]) -> Response:
    """Back to the preview, saying how many rows were saved and which failed."""
    query = urlencode([("saved", len(saved)), *(("failed", row) for row, _why in failed)])
    return RedirectResponse(f"{page}/uploads/{upload_id}?{query}", status_code=303)


# ---- a State's review --------------------------------------------------------------------------------------------


def _review(session: Session, submission: Any) -> service.Target:
    return service.submission_target(session, submission, get_locale())


@router.get("/submissions/{submission_id}/offline", name="offline:page")
def page(request: Request, session: SessionDep, user: CurrentUser, submission: ReadableSubmission) -> Response:
    return _page(request, user, _review(session, submission))


@router.get("/submissions/{submission_id}/offline/review.{fmt}", name="offline:download")
def download(session: SessionDep, user: CurrentUser, submission: ReadableSubmission, fmt: str) -> Response:
    return _download(session, user, _review(session, submission), fmt)


@router.post("/submissions/{submission_id}/offline/uploads", name="offline:upload")
def upload(
    request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission,
    file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    return _upload(request, session, user, _review(session, submission), file)


@router.get("/submissions/{submission_id}/offline/uploads/{upload_id}", name="offline:preview")
def preview(
    request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission, upload_id: int
) -> Response:
    return _preview(request, session, user, _review(session, submission), upload_id)


@router.post("/submissions/{submission_id}/offline/uploads/{upload_id}/accept", name="offline:accept")
def accept(
    request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission, upload_id: int,
    form: AcceptForm,
) -> Response:  # fmt: skip
    return _accept(request, session, user, _review(session, submission), upload_id, form)


# ---- an organisation's contribution ------------------------------------------------------------------------------


def _contribution(session: Session, user: User, contribution_id: int) -> service.Target:
    contribution = contributions.get_readable(session, user=user, contribution_id=contribution_id)
    return service.contribution_target(session, contribution, get_locale())


@router.get("/contributions/{contribution_id}/offline", name="offline:contribution_page")
def contribution_page(request: Request, session: SessionDep, user: CurrentUser, contribution_id: int) -> Response:
    return _page(request, user, _contribution(session, user, contribution_id))


@router.get("/contributions/{contribution_id}/offline/contribution.{fmt}", name="offline:contribution_download")
def contribution_download(session: SessionDep, user: CurrentUser, contribution_id: int, fmt: str) -> Response:
    return _download(session, user, _contribution(session, user, contribution_id), fmt)


@router.post("/contributions/{contribution_id}/offline/uploads", name="offline:contribution_upload")
def contribution_upload(
    request: Request, session: SessionDep, user: StakeholderUser, contribution_id: int,
    file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    return _upload(request, session, user, _contribution(session, user, contribution_id), file)


@router.get("/contributions/{contribution_id}/offline/uploads/{upload_id}", name="offline:contribution_preview")
def contribution_preview(
    request: Request, session: SessionDep, user: StakeholderUser, contribution_id: int, upload_id: int
) -> Response:
    return _preview(request, session, user, _contribution(session, user, contribution_id), upload_id)


@router.post("/contributions/{contribution_id}/offline/uploads/{upload_id}/accept", name="offline:contribution_accept")
def contribution_accept(
    request: Request, session: SessionDep, user: StakeholderUser, contribution_id: int, upload_id: int, form: AcceptForm
) -> Response:
    return _accept(request, session, user, _contribution(session, user, contribution_id), upload_id, form)


# ---- a country's pledges -----------------------------------------------------------------------------------------


def _pledges(session: Session, iso3: str) -> pledges.PledgesTarget:
    country = catalog_queries.get_country(session, iso3.upper()[:3])
    if country is None:
        raise NotFound(_("The page or record was not found."))
    return pledges.target(session, country)


def _pledge_links(request: Request, target: pledges.PledgesTarget) -> dict[str, str]:
    iso3 = target.owner
    return {
        "back": request.url_for("commitments:list").path,
        "page": request.url_for("offline:pledges_page", iso3=iso3).path,
        "xlsx": request.url_for("offline:pledges_download", iso3=iso3).path,
        "upload": request.url_for("offline:pledges_upload", iso3=iso3).path,
    }


def _pledge_context(request: Request, user: User, target: pledges.PledgesTarget, **extra: Any) -> dict[str, Any]:
    limit = request.app.state.settings.max_upload_bytes
    return {
        "target": target,
        "links": _pledge_links(request, target),
        "can_upload": pledges.can_upload(user, target),
        "limit": too_large_message(limit) if limit else "",
        "message": "",
        **extra,
    }


@router.get("/countries/{iso3}/pledges/offline", name="offline:pledges_page")
def pledges_page(request: Request, session: SessionDep, user: CurrentUser, iso3: str) -> Response:
    target = _pledges(session, iso3)
    pledges.ensure_can_download(user, target)
    return render(request, "offline/page.html", _pledge_context(request, user, target))


@router.get("/countries/{iso3}/pledges/offline/pledges.xlsx", name="offline:pledges_download")
def pledges_download(session: SessionDep, user: CurrentUser, iso3: str) -> Response:
    name, data = pledges.write(session, user=user, pledges=_pledges(session, iso3), lang=get_locale())
    return files.download(name, service.MEDIA_TYPES["xlsx"], data)


@router.post("/countries/{iso3}/pledges/offline/uploads", name="offline:pledges_upload")
def pledges_upload(
    request: Request, session: SessionDep, user: FocalPointUser, iso3: str, file: Annotated[UploadFile, File()]
) -> Response:
    target = _pledges(session, iso3)
    data = file.file.read()
    try:
        kept = pledges.keep_upload(session, user=user, pledges=target, name=file.filename or "", data=data,
                                   limit=request.app.state.settings.max_upload_bytes or len(data) + 1)  # fmt: skip
    except service.UploadRefused as exc:
        context = _pledge_context(request, user, target, message=exc.message)
        return render(request, "offline/page.html", context, status_code=422)
    return RedirectResponse(f"{_pledge_links(request, target)['page']}/uploads/{kept.id}", status_code=303)


@router.get("/countries/{iso3}/pledges/offline/uploads/{upload_id}", name="offline:pledges_preview")
def pledges_preview(request: Request, session: SessionDep, user: FocalPointUser, iso3: str, upload_id: int) -> Response:
    target = _pledges(session, iso3)
    kept = pledges.get_upload(session, user=user, pledges=target, upload_id=upload_id)
    plan = pledges.preview(session, user=user, pledges=target, data=kept.data)
    params = request.query_params
    page = _pledge_links(request, target)["page"]
    context = _pledge_context(request, user, target, plan=plan, upload=kept, saved=params.get("saved"),
                              failed=params.getlist("failed"),
                              accept_url=f"{page}/uploads/{kept.id}/accept")  # fmt: skip
    return render(request, "offline/preview.html", context)


@router.post("/countries/{iso3}/pledges/offline/uploads/{upload_id}/accept", name="offline:pledges_accept")
def pledges_accept(
    request: Request, session: SessionDep, user: FocalPointUser, iso3: str, upload_id: int, form: AcceptForm
) -> Response:
    """The same form as a review's (``_accept``), a line per pledge and field."""
    target = _pledges(session, iso3)
    kept = pledges.get_upload(session, user=user, pledges=target, upload_id=upload_id)
    chosen, keep_product, seen = _accept_choices(form)
    saved, failed = pledges.accept(session, user=user, pledges=target, data=kept.data, filename=kept.filename,
                                   wanted=set(chosen) - keep_product, seen=seen)  # fmt: skip
    return _after_accept(_pledge_links(request, target)["page"], kept.id, saved, failed)
