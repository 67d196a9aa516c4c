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
from app.catalog import queries as catalog_queries
from app.cycles import queries as cycle_queries
from app.cycles.models import ReviewCycle
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _, pick
from app.questionnaires import answers, queries, service, xlsform
from app.questionnaires.forms import QuestionForm, field_errors
from app.questionnaires.models import QuestionnaireKind
from app.questionnaires.schemas import DefinitionInvalid, Problem, Question, QuestionType
from app.questionnaires.xlsform import LANGUAGE_NAMES
from app.web.templating import render

router = APIRouter(prefix="/questionnaires", include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _questionnaire(raw: str) -> QuestionnaireKind:
    """The ``questionnaire`` query parameter: the States' (default) or the stakeholders' questionnaire."""
    if raw not in {k.value for k in QuestionnaireKind}:
        raise NotFound(_("There is no such questionnaire."))
    return QuestionnaireKind(raw)


def _with_kind(kind: QuestionnaireKind) -> Any:
    """A URL with the questionnaire's kind in its query (nothing for the States', so links stay as they were)."""

    def add(url: str) -> str:
        if kind is QuestionnaireKind.states:
            return url
        return f"{url}{'&' if '?' in url else '?'}questionnaire={kind.value}"

    return add


def _page_url(request: Request, cycle: ReviewCycle, kind: QuestionnaireKind, done: str) -> str:
    return _with_kind(kind)(request.url_for("questionnaires:page", cycle_id=cycle.id).path + f"?done={done}")


def _cycle(session: Session, cycle_id: int) -> ReviewCycle:
    cycle = cycle_queries.get_cycle(session, cycle_id)
    if cycle is None:
        raise NotFound(_("There is no such review cycle."))
    return cycle


def _page(
    request: Request,
    session: Session,
    cycle: ReviewCycle,
    kind: QuestionnaireKind,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    stored = queries.get_for_cycle(session, cycle.id, kind)
    context = {
        "cycle": cycle,
        "questionnaire": kind,
        "with_kind": _with_kind(kind),
        "definition": service.definition_for(session, cycle, kind),
        "version": stored.version if stored else None,
        "problems": [],
        "notice": None,
        **extra,
    }
    return render(request, "questionnaires/page.html", context, status_code=status_code)


@router.get("/{cycle_id}", name="questionnaires:page")
def page(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle_id: int,
    done: str = "",
    questionnaire: str = "states",
) -> Response:
    notice = _("The questionnaire has been replaced.") if done == "replaced" else None
    if done == "unchanged":
        notice = _("The file holds the same questionnaire: nothing changed.")
    return _page(request, session, _cycle(session, cycle_id), _questionnaire(questionnaire), notice=notice)


@router.get("/{cycle_id}/preview", name="questionnaires:preview")
def preview(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle_id: int,
    objective: str = "1",
    questionnaire: str = "states",
) -> Response:
    cycle = _cycle(session, cycle_id)
    kind = _questionnaire(questionnaire)
    objectives = catalog_queries.list_objectives(session)
    number = int(objective) if objective.isdecimal() and len(objective) < 3 else 1
    chosen = next((o for o in objectives if o.number == number), objectives[0])
    context = {
        "cycle": cycle,
        "questionnaire": kind,
        "with_kind": _with_kind(kind),
        "definition": service.definition_for(session, cycle, kind),
        "objective": chosen,
        "objectives": objectives,
        "principles": catalog_queries.list_principles(session),
        "start_value": lambda q: answers.form_value(q, q.default),  # what a new review starts with
    }
    return render(request, "questionnaires/preview.html", context)


@router.get("/{cycle_id}/download", name="questionnaires:download")
def download(
    session: SessionDep, _user: SecretariatUser, cycle_id: int, format: str = "json", questionnaire: str = "states"
) -> Response:
    cycle = _cycle(session, cycle_id)
    kind = _questionnaire(questionnaire)
    definition = service.definition_for(session, cycle, kind)
    name = f"questionnaire-cycle-{cycle.id}" + ("-stakeholders" if kind is QuestionnaireKind.stakeholders else "")
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
    questionnaire: str = "states",
) -> Response:
    cycle = _cycle(session, cycle_id)
    kind = _questionnaire(questionnaire)
    data = upload.file.read()
    rows: dict[str, str] = {}
    try:
        if data[:2] == b"PK":  # a zip archive: an XLSX workbook
            definition, rows = xlsform.read(data)
        else:
            try:
                definition = json.loads(data.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                message = _("Choose a JSON file (UTF-8) or an XLSX workbook, as the downloads here are.")
                raise DefinitionInvalid([Problem(where=upload.filename or "(the file)", message=message)]) from None
        expected = int(version) if version.isdecimal() and len(version) < 10 else None
        changed = service.replace_definition(session, cycle=cycle, data=definition, version=expected, kind=kind)
    except DefinitionInvalid as exc:
        session.rollback()
        problems = xlsform.locate(exc.problems, rows)
        return _page(request, session, cycle, kind, status_code=422, problems=problems, message=exc.message)
    return RedirectResponse(_page_url(request, cycle, kind, "replaced" if changed else "unchanged"), 303)


# ---- one question at a time ----------------------------------------------------------------------------------------

KINDS = ("section", "objective")


def _version(raw: str) -> int | None:
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def _question_path(data: dict[str, Any], kind: str, key: str) -> str:
    """Where the (last) question ``key`` of ``kind`` is in the definition, as the problems name it."""
    found = ""
    if kind == "objective":
        for i, q in enumerate(data["objective_questions"]):
            if q.get("key") == key:
                found = f"objective_questions[{i}]"
        return found
    for s, section in enumerate(data["sections"]):
        for i, q in enumerate(section["questions"]):
            if q.get("key") == key:
                found = f"sections[{s}].questions[{i}]"
    return found


def _form_page(
    request: Request,
    session: Session,
    cycle: ReviewCycle,
    *,
    form: QuestionForm,
    part: str,
    editing: str | None,
    kind: QuestionnaireKind = QuestionnaireKind.states,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
) -> Response:
    definition = service.definition_for(session, cycle, kind)
    stored = queries.get_for_cycle(session, cycle.id, kind)
    parts = [(f"section:{s.key}", pick(s.label, s.key)[0]) for s in definition.sections]
    parts.append(("objective", _("Asked for each objective")))
    context = {
        "cycle": cycle,
        "questionnaire": kind,
        "with_kind": _with_kind(kind),
        "form": form,
        "part": part,
        "parts": parts,
        "editing": editing,
        "types": [(t.value, t.value.replace("_", " ")) for t in QuestionType],
        "languages": LANGUAGE_NAMES,
        "version": stored.version if stored else None,
        "errors": errors or {},
        "general": general or [],
    }
    return render(request, "questionnaires/question.html", context, status_code=status_code)


def _kind_of(part: str) -> str:
    return "objective" if part == "objective" else "section"


def _target_type(
    session: Session, cycle: ReviewCycle, kind: str, key: str, questionnaire: QuestionnaireKind
) -> QuestionType | None:
    definition = service.definition_for(session, cycle, questionnaire)
    questions = (
        definition.objective_questions if kind == "objective" else [q for s in definition.sections for q in s.questions]
    )
    return next((q.type for q in questions if q.key == key), None)


@router.get("/{cycle_id}/new", name="questionnaires:new_question")
def new_question(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle_id: int,
    part: str = "objective",
    questionnaire: str = "states",
) -> Response:
    cycle = _cycle(session, cycle_id)
    kind = _questionnaire(questionnaire)
    return _form_page(request, session, cycle, form=QuestionForm(), part=part, editing=None, kind=kind)


@router.post("/{cycle_id}/new", name="questionnaires:add_question")
def add_question(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle_id: int,
    form: Annotated[QuestionForm, Form()],
    part: Annotated[str, Form(max_length=200)] = "objective",
    version: Annotated[str, Form(max_length=20)] = "",
    questionnaire: str = "states",
) -> Response:
    cycle = _cycle(session, cycle_id)
    which = _questionnaire(questionnaire)
    kind = _kind_of(part)
    question = form.question(target_type=_target_type(session, cycle, kind, form.show_if_key.strip(), which))
    try:
        service.add_question(session, cycle=cycle, part=part, question=question, version=_version(version), kind=which)
    except DefinitionInvalid as exc:
        session.rollback()
        data = service.definition_for(session, cycle, which).as_json()
        path = _question_path(data, kind, "") or _new_path(data, part)
        errors, general = field_errors(exc.problems, path)
        return _form_page(
            request,
            session,
            cycle,
            form=form,
            part=part,
            editing=None,
            kind=which,
            status_code=422,
            errors=errors,
            general=general,
        )
    return RedirectResponse(_page_url(request, cycle, which, "replaced"), 303)


def _new_path(data: dict[str, Any], part: str) -> str:
    """Where a question added at the end of ``part`` is."""
    if part == "objective":
        return f"objective_questions[{len(data['objective_questions'])}]"
    for s, section in enumerate(data["sections"]):
        if f"section:{section['key']}" == part:
            return f"sections[{s}].questions[{len(section['questions'])}]"
    return ""


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(_("This questionnaire has no such question."))
    return kind


@router.get("/{cycle_id}/{kind}/{key}", name="questionnaires:question")
def question(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle_id: int,
    kind: str,
    key: str,
    questionnaire: str = "states",
) -> Response:
    cycle = _cycle(session, cycle_id)
    which = _questionnaire(questionnaire)
    data = service.definition_for(session, cycle, which).as_json()
    questions, index = service.questions_of(data, _kind(kind), key)
    form = QuestionForm.of(Question.model_validate(questions[index]))
    part = "objective" if kind == "objective" else _section_of(data, key)
    return _form_page(request, session, cycle, form=form, part=part, editing=key, kind=which)


def _section_of(data: dict[str, Any], key: str) -> str:
    for section in data["sections"]:
        if any(q["key"] == key for q in section["questions"]):
            return f"section:{section['key']}"
    return ""


@router.post("/{cycle_id}/{kind}/{key}", name="questionnaires:save_question")
def save_question(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle_id: int,
    kind: str,
    key: str,
    form: Annotated[QuestionForm, Form()],
    version: Annotated[str, Form(max_length=20)] = "",
    action: Annotated[str, Form(max_length=20)] = "save",
    questionnaire: str = "states",
) -> Response:
    cycle = _cycle(session, cycle_id)
    which = _questionnaire(questionnaire)
    kind = _kind(kind)
    data = service.definition_for(session, cycle, which).as_json()
    questions, index = service.questions_of(data, kind, key)
    path = _question_path(data, kind, key)
    try:
        if action in ("up", "down"):
            step = -1 if action == "up" else 1
            service.move_question(
                session, cycle=cycle, kind=kind, key=key, step=step, version=_version(version), questionnaire=which
            )
        elif action == "remove":
            service.remove_question(
                session, cycle=cycle, kind=kind, key=key, version=_version(version), questionnaire=which
            )
        else:
            previous = Question.model_validate(questions[index])
            target = _target_type(session, cycle, kind, form.show_if_key.strip(), which)
            new = form.question(previous, target) | {"key": key}  # a key stays: answers are kept under it
            service.update_question(
                session, cycle=cycle, kind=kind, key=key, question=new, version=_version(version), questionnaire=which
            )
    except DefinitionInvalid as exc:
        session.rollback()
        errors, general = field_errors(exc.problems, path)
        part = "objective" if kind == "objective" else _section_of(data, key)
        shown = form if action == "save" else QuestionForm.of(Question.model_validate(questions[index]))
        return _form_page(
            request,
            session,
            cycle,
            form=shown,
            part=part,
            editing=key,
            kind=which,
            status_code=422,
            errors=errors,
            general=general,
        )
    return RedirectResponse(_page_url(request, cycle, which, "replaced"), 303)
