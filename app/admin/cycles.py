"""Administration of review cycles: list, plan, edit dates and name, open and close (one open at a time)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.admin.dependencies import ManagedCycle
from app.admin.schemas import CycleEditForm
from app.audit.queries import list_history
from app.auth.dependencies import AdminUser
from app.cycles import queries, service
from app.cycles.models import ReviewCycle
from app.cycles.schemas import DESCRIPTION_MAX, NAME_MAX, CycleForm
from app.db import SessionDep, utcnow
from app.errors import AppError, FormInvalid
from app.i18n import _
from app.web.templating import render

router = APIRouter(prefix="/admin/cycles")


def _notices() -> dict[str, str]:
    return {
        "created": _("The review cycle has been created. It is planned: open it when States may start reporting."),
        "saved": _("The changes have been saved."),
        "opened": _("The review cycle is open: focal points can now start and submit their reviews."),
        "closed": _("The review cycle is closed: States can no longer submit in it."),
    }


def _list_page(
    request: Request, session: Session, *, message: str | None = None, notice: str | None = None, status_code: int = 200
) -> Response:
    today = utcnow().date()
    cycles = queries.list_cycles(session)
    context = {
        "rows": [(cycle, service.days_to_deadline(cycle, today)) for cycle in cycles],
        "any_open": any(cycle.status.value == "open" for cycle in cycles),
        "message": message,
        "notice": notice,
    }
    return render(request, "admin/cycles.html", context, status_code=status_code)


@router.get("", name="admin:cycles")
def cycles(request: Request, session: SessionDep, _admin: AdminUser, done: str = "") -> Response:
    return _list_page(request, session, notice=_notices().get(done))


def _form_page(request: Request, *, cycle: ReviewCycle | None, status_code: int = 200, **extra: Any) -> Response:
    context = {
        "cycle": cycle,
        "form": CycleForm.of(cycle) if cycle else CycleForm(),
        "version": cycle.version if cycle else None,
        "errors": {},
        "conflict": False,
        "notice": None,
        "history": [],
        "name_max": NAME_MAX,
        "description_max": DESCRIPTION_MAX,
        **extra,
    }
    return render(request, "admin/cycle_form.html", context, status_code=status_code)


@router.get("/new", name="admin:cycle_new")
def cycle_new(request: Request, _admin: AdminUser) -> Response:
    return _form_page(request, cycle=None)


@router.post("", name="admin:cycle_create")
def cycle_create(
    request: Request, session: SessionDep, _admin: AdminUser, form: Annotated[CycleForm, Form()]
) -> Response:
    try:
        service.create_cycle(session, form=form)
    except FormInvalid as exc:
        return _form_page(request, cycle=None, form=form, errors=exc.errors, status_code=422)
    return RedirectResponse(request.app.url_path_for("admin:cycles") + "?done=created", status_code=303)


def _edit_page(request: Request, session: Session, cycle: ReviewCycle, **extra: Any) -> Response:
    history = list_history(session, entity_type="review_cycle", entity_id=cycle.id)
    return _form_page(request, cycle=cycle, history=history, **extra)


@router.get("/{cycle_id}", name="admin:cycle_edit")
def cycle_edit(
    request: Request, session: SessionDep, _admin: AdminUser, cycle: ManagedCycle, done: str = ""
) -> Response:
    return _edit_page(request, session, cycle, notice=_notices().get(done))


@router.post("/{cycle_id}", name="admin:cycle_update")
def cycle_update(
    request: Request,
    session: SessionDep,
    _admin: AdminUser,
    cycle: ManagedCycle,
    form: Annotated[CycleEditForm, Form()],
) -> Response:
    try:
        service.update_cycle(session, cycle=cycle, form=form, version=form.version)
    except service.CycleEditConflict:
        # Keep what the admin typed; the form now carries the saved version, so saving again is a knowing choice.
        return _edit_page(request, session, cycle, form=form, conflict=True, status_code=409)
    except FormInvalid as exc:
        return _edit_page(request, session, cycle, form=form, version=form.version, errors=exc.errors, status_code=422)
    return RedirectResponse(request.app.url_path_for("admin:cycle_edit", cycle_id=cycle.id) + "?done=saved", 303)


@router.post("/{cycle_id}/open", name="admin:cycle_open")
def cycle_open(request: Request, session: SessionDep, _admin: AdminUser, cycle: ManagedCycle) -> Response:
    try:
        service.open_cycle(session, cycle=cycle)
    except AppError as exc:
        return _list_page(request, session, message=exc.message, status_code=exc.status_code)
    return RedirectResponse(request.app.url_path_for("admin:cycles") + "?done=opened", status_code=303)


@router.post("/{cycle_id}/close", name="admin:cycle_close")
def cycle_close(request: Request, session: SessionDep, _admin: AdminUser, cycle: ManagedCycle) -> Response:
    try:
        service.close_cycle(session, cycle=cycle)
    except AppError as exc:
        return _list_page(request, session, message=exc.message, status_code=exc.status_code)
    return RedirectResponse(request.app.url_path_for("admin:cycles") + "?done=closed", status_code=303)
