"""The upload page: upload → preview (new, changed, unchanged, every error with its line) → confirm writes.

The preview carries the parsed file to the confirm step inside the form itself (gzip + base64, signed with an HMAC
of the secret key), so any service instance can confirm it and nothing lives in process memory. Confirm validates
the file again against the database as it is then: nothing is written unless the whole file is valid.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from app.auth.dependencies import guard, roles
from app.auth.models import Role, User
from app.db import SessionDep
from app.i18n import _
from app.imports import service
from app.web.templating import render

router = APIRouter(include_in_schema=False)
Importer = Annotated[User, Depends(guard(roles(Role.admin, Role.secretariat, Role.focal_point)))]
KINDS = ("values", "indicators")


def _sign(request: Request, payload: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _plan(session: SessionDep, user: User, kind: str, data: bytes) -> service.Plan:
    try:
        if kind == "indicators":
            return service.plan_indicators(session, data)
        focal = user if user.role is Role.focal_point else None
        return service.plan_values(session, data, user=focal)
    except service.ImportRefused as exc:
        return service.Plan(kind, errors=exc.errors)


@router.get("/imports", name="imports:form")
def form(request: Request, user: Importer) -> Response:
    return render(request, "imports/form.html", {"kinds": _kinds(user), "kind": "values", "message": "", "done": None})


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
    context: dict = {"kinds": _kinds(user), "kind": kind, "message": "", "done": None}
    if not name.endswith((".csv", ".xlsx")):
        context["message"] = _("Choose a .csv or .xlsx file.")
        return render(request, "imports/form.html", context, status_code=415)
    if name.endswith(".xlsx") != data.startswith(service.XLSX_MAGIC):
        context["message"] = _("The file's content does not match its name (.csv or .xlsx).")
        return render(request, "imports/form.html", context, status_code=415)
    plan = _plan(session, user, kind, data)
    payload = base64.b64encode(gzip.compress(data)).decode("ascii")
    context |= {"plan": plan, "payload": payload, "digest": _sign(request, kind + payload), "filename": upload.filename}
    return render(request, "imports/preview.html", context, status_code=422 if plan.errors else 200)


@router.post("/imports/confirm", name="imports:confirm")
def confirm(
    request: Request, user: Importer, session: SessionDep, payload: Annotated[str, Form()],
    digest: Annotated[str, Form()], kind: Annotated[str, Form()] = "values",
) -> Response:  # fmt: skip
    context: dict = {"kinds": _kinds(user), "kind": kind, "message": "", "done": None}
    if kind not in dict(_kinds(user)) or not hmac.compare_digest(digest, _sign(request, kind + payload)):
        context["message"] = _("The upload could not be confirmed: upload the file again.")
        return render(request, "imports/form.html", context, status_code=400)
    data = gzip.decompress(base64.b64decode(payload))
    plan = _plan(session, user, kind, data)
    if plan.errors:
        context |= {"plan": plan, "payload": payload, "digest": digest}
        return render(request, "imports/preview.html", context, status_code=422)
    if kind == "indicators":
        service.apply_indicators(session, plan, user_id=user.id)
    else:
        service.apply_values(session, plan, user_id=user.id)
    context |= {"done": plan}
    return render(request, "imports/form.html", context)
