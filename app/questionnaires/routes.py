"""The questionnaire page of a cycle (secretariat and administrators): what the cycle asks, the definition as a
file (JSON or an XLSForm-style workbook) and its replacement from a file, whole or not at all."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import SecretariatUser
from app.cycles import queries as cycle_queries
from app.cycles.models import ReviewCycle
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.questionnaires import queries, service, xlsform
from app.questionnaires.schemas import DefinitionInvalid, Problem
from app.web.templating import render

router = APIRouter(prefix="/questionnaires")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cycle(session: Session, cycle_id: int) -> ReviewCycle:
    cycle = cycle_queries.get_cycle(session, cycle_id)
    if cycle is None:
        raise NotFound(_("There is no such review cycle."))
    return cycle


def _page(request: Request, session: Session, cycle: ReviewCycle, *, status_code: int = 200, **extra: Any) -> Response:
    stored = queries.get_for_cycle(session, cycle.id)
    context = {
        "cycle": cycle,
        "definition": service.definition_for(session, cycle),
        "version": stored.version if stored else None,
        "problems": [],
        "notice": None,
        **extra,
    }
    return render(request, "questionnaires/page.html", context, status_code=status_code)


@router.get("/{cycle_id}", name="questionnaires:page")
def page(request: Request, session: SessionDep, _user: SecretariatUser, cycle_id: int, done: str = "") -> Response:
    notice = _("The questionnaire has been replaced.") if done == "replaced" else None
    if done == "unchanged":
        notice = _("The file holds the same questionnaire: nothing changed.")
    return _page(request, session, _cycle(session, cycle_id), notice=notice)


@router.get("/{cycle_id}/download", name="questionnaires:download")
def download(session: SessionDep, _user: SecretariatUser, cycle_id: int, format: str = "json") -> Response:
    cycle = _cycle(session, cycle_id)
    definition = service.definition_for(session, cycle)
    name = f"questionnaire-cycle-{cycle.id}"
    if format == "xlsx":
        headers = {"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
        return Response(xlsform.to_workbook(definition), media_type=XLSX, headers=headers)
    body = json.dumps(definition.as_json(), ensure_ascii=False, indent=2) + "\n"
    headers = {"Content-Disposition": f'attachment; filename="{name}.json"'}
    return Response(body.encode("utf-8"), media_type="application/json", headers=headers)


@router.post("/{cycle_id}", name="questionnaires:replace")
def replace(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle_id: int,
    upload: Annotated[UploadFile, File()],
    version: Annotated[str, Form()] = "",
) -> Response:
    cycle = _cycle(session, cycle_id)
    data = upload.file.read()
    try:
        if data[:2] == b"PK":  # a zip archive: an XLSX workbook
            definition: object = xlsform.from_workbook(data)
        else:
            try:
                definition = json.loads(data.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                message = _("Choose a JSON file (UTF-8) or an XLSX workbook, as the downloads here are.")
                raise DefinitionInvalid([Problem(where=upload.filename or "(the file)", message=message)]) from None
        expected = int(version) if version.isdecimal() and len(version) < 10 else None
        changed = service.replace_definition(session, cycle=cycle, data=definition, version=expected)
    except DefinitionInvalid as exc:
        session.rollback()
        return _page(request, session, cycle, status_code=422, problems=exc.problems, message=exc.message)
    done = "replaced" if changed else "unchanged"
    return RedirectResponse(request.url_for("questionnaires:page", cycle_id=cycle.id).path + f"?done={done}", 303)
