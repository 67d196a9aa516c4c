"""The upload page: upload → preview (new, changed, unchanged, every error with its line) → confirm writes.

The preview reads and checks the file holding no database lock (the sign-in's transaction is committed first; the
file is read with no transaction open; the plan is made in a read-only transaction, ``DEFERRED`` on SQLite), then
keeps the accepted file in a ``pending_import`` row (its uploader's, for ``GCM_IMPORT_PENDING_SECONDS``) in a short
writing transaction. The confirm form posts only that row's id, so any instance sharing the database can confirm.
Confirm reads and validates the file again against the database as it is then, refuses it (409, each line named) if
a row the preview showed was changed, added or removed by someone else meanwhile (the row keeps the versions the
preview read), and writes it, claiming the row, all in one savepoint: nothing is written unless the whole file is
valid and nothing it matches changed since the preview.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import guard, roles
from app.auth.models import Role, User
from app.db import READ_ONLY, SessionDep
from app.i18n import _
from app.imports import service
from app.web.templating import render

router = APIRouter(include_in_schema=False)
Importer = Annotated[User, Depends(guard(roles(Role.admin, Role.secretariat, Role.focal_point)))]
KINDS = ("values", "indicators")


def _plan(session: Session, user: User, kind: str, table: service.Table) -> service.Plan:
    if kind == "indicators":
        return service.plan_indicators(session, table)
    return service.plan_values(session, table, user=user if user.role is Role.focal_point else None)


@router.get("/imports", name="imports:form")
def form(request: Request, user: Importer) -> Response:
    return render(request, "imports/form.html", _context(request, user))


def _context(request: Request, user: User, kind: str = "values") -> dict:
    limits = service.Limits.of(request.app.state.settings)
    return {"kinds": _kinds(user), "kind": kind, "message": "", "done": None, "limits": limits, "refusal": ""}


def _kinds(user: User) -> list[tuple[str, str]]:
    kinds = [("values", _("Indicator values"))]
    if user.role is not Role.focal_point:
        kinds.append(("indicators", _("Indicators")))
    return kinds


@router.post("/imports/preview", name="imports:preview")
def preview(
    request: Request, user: Importer, session: SessionDep, upload: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "values",
) -> Response:  # fmt: skip
    kind = kind if kind in dict(_kinds(user)) else "values"
    name = (upload.filename or "").lower()
    data = upload.file.read()
    context = _context(request, user, kind)
    if not name.endswith((".csv", ".xlsx")):
        context["message"] = _("Choose a .csv or .xlsx file.")
        return render(request, "imports/form.html", context, status_code=415)
    if name.endswith(".xlsx") != data.startswith(service.XLSX_MAGIC):
        context["message"] = _("The file's content does not match its name (.csv or .xlsx).")
        return render(request, "imports/form.html", context, status_code=415)
    settings = request.app.state.settings
    session.commit()  # the sign-in's transaction ends here: nothing below holds a lock while the file is read
    try:
        table = service.read_table(data, service.Limits.of(settings))
        session.connection(execution_options=READ_ONLY)  # SQLite: DEFERRED, the plan only reads
        plan = _plan(session, user, kind, table)
    except service.ImportRefused as exc:
        plan = service.Plan(kind, errors=exc.errors)
    session.commit()  # the read-only transaction ends; keeping the file is a short writing one
    context |= {"plan": plan, "filename": upload.filename}
    if plan.errors:
        session.connection(execution_options=READ_ONLY)  # a refused file writes nothing (the page reads only)
        return render(request, "imports/preview.html", context, status_code=422)
    pending = service.keep_upload(session, user_id=user.id, plan=plan, filename=upload.filename or "", data=data,
                                  seconds=settings.import_pending_seconds)  # fmt: skip
    context["upload_id"] = pending.id
    return render(request, "imports/preview.html", context)


@router.post("/imports/confirm", name="imports:confirm")
def confirm(
    request: Request, user: Importer, session: SessionDep, upload_id: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    context = _context(request, user)
    pending = service.pending_upload(session, upload_id, user_id=user.id)
    if pending is None or pending.kind not in dict(_kinds(user)):
        context["message"] = _("The upload could not be confirmed (it expired or is not yours): upload the file again.")
        return render(request, "imports/form.html", context, status_code=400)
    kind, data, pending_id = pending.kind, pending.data, pending.id
    previewed = {row_id: (version, line) for row_id, version, line in pending.seen}
    context["kind"] = kind
    session.commit()  # as in the preview: the file is read again holding no lock
    try:
        table = service.read_table(data, service.Limits.of(request.app.state.settings))
        with session.begin_nested():  # claim, plan and write: all or nothing
            service.claim_upload(session, pending_id, user_id=user.id)
            plan = _plan(session, user, kind, table)
            if plan.errors:
                raise service.ImportRefused(plan.errors)
            service.ensure_unchanged_since(plan, previewed)
            if kind == "indicators":
                service.apply_indicators(session, plan, user_id=user.id)
            else:
                service.apply_values(session, plan, user_id=user.id, reviewed=user.role is not Role.focal_point)
    except service.ImportRefused as exc:
        context |= {"plan": service.Plan(kind, errors=exc.errors), "refusal": exc.message}
        return render(request, "imports/preview.html", context, status_code=exc.status_code)
    context |= {"done": plan}
    return render(request, "imports/form.html", context)
