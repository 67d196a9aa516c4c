"""Contributions' pages: the organisation's drafting (scope, one form per part with autosave, submit), the
secretariat's list and moderation, and the read-only page everyone may read once accepted."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import files
from app.auth.dependencies import CurrentUser, MaybeUser, SecretariatUser, StakeholderUser
from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.contributions import queries, service
from app.contributions.models import Consent, Contribution, ContributionStatus, decision_labels, status_labels
from app.db import SessionDep, utcnow
from app.errors import AppError, Conflict, FormInvalid
from app.i18n import _, pick
from app.organisations.models import type_labels
from app.questionnaires import answers, languages
from app.questionnaires.schemas import QuestionType
from app.visibility import may_read_contribution_decisions
from app.web.templating import render

router = APIRouter(include_in_schema=False)


async def posted_form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and name not in ("csrf_token", "version"):
            fields.setdefault(name, []).append(value)
    return fields


PostedForm = Annotated[dict[str, list[str]], Depends(posted_form)]


def _is_autosave(request: Request) -> bool:
    return request.headers.get("X-Autosave") == "1"


def _load(session: Session, user: User | None, contribution_id: int) -> Contribution:
    return service.get_readable(session, user=user, contribution_id=contribution_id)


@router.post("/my/contributions", name="contributions:start")
def start(session: SessionDep, user: StakeholderUser) -> Response:
    cycle = queries.get_open_cycle(session)
    if cycle is None:
        raise Conflict(_("No review cycle is open at the moment."))
    contribution = service.start(session, user=user, cycle=cycle)
    return RedirectResponse(f"/contributions/{contribution.id}", status_code=303)


@router.get("/contributions", name="contributions:list")
def list_page(request: Request, session: SessionDep, user: SecretariatUser, status: str = "") -> Response:
    chosen = ContributionStatus(status) if status in {s.value for s in ContributionStatus} else None
    context = {
        "contributions": queries.list_contributions(session, user, status=chosen),
        "status": chosen,
        "status_labels": status_labels(),
        "type_labels": type_labels(),
    }
    return render(request, "contributions/list.html", context)


def _file_id(question: Any, values: dict[str, Any]) -> int | None:
    """The id of the document answering a file question (its download link), if one is attached."""
    value = values.get(question.key)
    if question.type is QuestionType.file and isinstance(value, dict) and isinstance(value.get("file_id"), int):
        return int(value["file_id"])
    return None


def _detail(
    request: Request,
    session: Session,
    user: User | None,
    contribution: Contribution,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    definition = service.definition_of(session, contribution)
    objectives = catalog_queries.list_objectives(session)
    titles = {o.number: o.short_title for o in objectives}
    parts = []
    for part in service.parts_of(contribution, definition):
        kind, _sep, ref = part.partition(":")
        questions = definition.questions_for(part)
        values = service.part_values(contribution, part)
        if kind == "section":
            section = definition.section(ref)
            title = pick(section.label, ref)[0] if section else ref
            url = f"/contributions/{contribution.id}/sections/{ref}"
        else:
            title = _("Objective %(n)s: %(title)s") % {"n": ref, "title": titles.get(int(ref), "")}
            url = f"/contributions/{contribution.id}/objectives/{ref}"
        shown = [(q, answers.display(q, values.get(q.key), definition), _file_id(q, values)) for q in questions]
        parts.append(
            {
                "key": part,
                "title": title,
                "url": url,
                "answers": shown,
                "missing": answers.missing(questions, values),
                "languages": {a.key: a.language for a in contribution.answers if a.part == part},
            }
        )
    context = {
        "contribution": contribution,
        "parts": parts,
        "objectives": objectives,
        "can_edit": service.can_edit(user, contribution),
        "can_moderate": user is not None and user.role.value in ("secretariat", "admin"),
        "decisions": contribution.decisions if may_read_contribution_decisions(user, contribution) else [],
        "status_labels": status_labels(),
        "decision_labels": decision_labels(),
        "type_labels": type_labels(),
        "cited_as": service.cited_as(contribution, type_labels()),
        "consents": [
            (Consent.name.value, _("By our organisation's name")),
            (Consent.type_only.value, _("By our type of organisation only")),
        ],
        "errors": {},
        "reason": "",
        "message": None,
        "reason_max": service.REASON_MAX,
        "file_url": f"/contributions/{contribution.id}/files/",
        **extra,
    }
    return render(request, "contributions/detail.html", context, status_code=status_code)


@router.get("/contributions/{contribution_id}", name="contributions:detail")
def detail(request: Request, session: SessionDep, user: MaybeUser, contribution_id: int) -> Response:
    return _detail(request, session, user, _load(session, user, contribution_id))


@router.post("/contributions/{contribution_id}/scope", name="contributions:scope")
def scope(
    request: Request,
    session: SessionDep,
    user: StakeholderUser,
    contribution_id: int,
    form: PostedForm,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    contribution = _load(session, user, contribution_id)
    consent = (form.get("consent") or [""])[0]
    try:
        service.set_scope(
            session,
            user=user,
            contribution=contribution,
            objectives=form.get("objectives", []),
            consent=consent,
            version=version,
        )
    except FormInvalid as exc:
        return _detail(request, session, user, contribution, status_code=422, errors=exc.errors)
    except service.EditConflict as exc:
        return _detail(
            request, session, user, _load(session, user, contribution_id), status_code=409, message=exc.message
        )
    return RedirectResponse(f"/contributions/{contribution.id}?saved=1", status_code=303)


@router.post("/contributions/{contribution_id}/submit", name="contributions:submit")
def submit(request: Request, session: SessionDep, user: StakeholderUser, contribution_id: int) -> Response:
    contribution = _load(session, user, contribution_id)
    try:
        service.submit(session, user=user, contribution=contribution)
    except service.Incomplete as exc:
        return _detail(request, session, user, contribution, status_code=422, message=exc.message)
    return RedirectResponse(f"/contributions/{contribution.id}?submitted=1", status_code=303)


@router.post("/contributions/{contribution_id}/moderate", name="contributions:moderate")
def moderate(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    contribution_id: int,
    action: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=20_000)] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    contribution = _load(session, user, contribution_id)
    try:
        service.moderate(session, user=user, contribution=contribution, action=action, reason=reason, version=version)
    except FormInvalid as exc:
        return _detail(request, session, user, contribution, status_code=422, errors=exc.errors, reason=reason)
    except Conflict as exc:
        return _detail(request, session, user, contribution, status_code=409, message=exc.message, reason=reason)
    return RedirectResponse(f"/contributions/{contribution.id}?decided={action}", status_code=303)


# ---- the parts' forms ------------------------------------------------------------------------------------------


def _part_context(session: Session, user: User, contribution: Contribution, part: str, **extra: Any) -> dict[str, Any]:
    definition = service.definition_of(session, contribution)
    service.ensure_part(contribution, definition, part)
    questions = definition.questions_for(part)
    stored = service.part_values(contribution, part)
    kind, _sep, ref = part.partition(":")
    if kind == "section":
        section = definition.section(ref)
        title = pick(section.label, ref)[0] if section else ref
        hint = section.hint.get("en", "") if section else ""
        action = f"/contributions/{contribution.id}/sections/{ref}"
    else:
        objective = next((o for o in catalog_queries.list_objectives(session) if o.number == int(ref)), None)
        title = _("Objective %(n)s: %(title)s") % {"n": ref, "title": objective.short_title if objective else ""}
        hint = ""
        action = f"/contributions/{contribution.id}/objectives/{ref}"
    context: dict[str, Any] = {
        "contribution": contribution,
        "part_key": part,
        "title": title,
        "hint": hint,
        "action": action,
        "questions": questions,
        "scale": definition.rating_scale,
        "can_edit": service.can_edit(user, contribution),
        "values": {q.key: answers.form_value(q, stored.get(q.key)) for q in questions},
        "stored_values": stored,  # a file question shows the document attached
        "languages": languages.states(a for a in contribution.answers if a.part == part),
        "attach_url": f"/contributions/{contribution.id}/files",
        "file_url": f"/contributions/{contribution.id}/files/",
        "version": service.part_version(contribution, part),  # the part's own lock
        "errors": {},
        "conflict": None,
        "saved": False,
        "principles": catalog_queries.list_principles(session),
        "commitments": [],
        "status_labels": status_labels(),
    }
    context.update(extra)
    return context


def _part_page(
    request: Request, session: Session, user: User, contribution_id: int, part: str, saved: bool
) -> Response:
    contribution = _load(session, user, contribution_id)
    context = _part_context(session, user, contribution, part, saved=saved)
    return render(request, "contributions/part.html", context)


@router.get("/contributions/{contribution_id}/sections/{key}", name="contributions:section")
def section_form(
    request: Request, session: SessionDep, user: CurrentUser, contribution_id: int, key: str, saved: bool = False
) -> Response:
    return _part_page(request, session, user, contribution_id, f"section:{key}", saved)


@router.get("/contributions/{contribution_id}/objectives/{number}", name="contributions:objective")
def objective_form(
    request: Request, session: SessionDep, user: CurrentUser, contribution_id: int, number: int, saved: bool = False
) -> Response:
    return _part_page(request, session, user, contribution_id, f"objective:{number}", saved)


@router.post("/contributions/{contribution_id}/sections/{key}", name="contributions:section_save")
def section_save(
    request: Request,
    session: SessionDep,
    user: StakeholderUser,
    contribution_id: int,
    key: str,
    form: PostedForm,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    return _save(request, session, user, contribution_id, f"section:{key}", form, version)


@router.post("/contributions/{contribution_id}/objectives/{number}", name="contributions:objective_save")
def objective_save(
    request: Request,
    session: SessionDep,
    user: StakeholderUser,
    contribution_id: int,
    number: int,
    form: PostedForm,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    return _save(request, session, user, contribution_id, f"objective:{number}", form, version)


def _save(
    request: Request,
    session: Session,
    user: User,
    contribution_id: int,
    part: str,
    form: dict[str, list[str]],
    version: int | None,
) -> Response:
    contribution = _load(session, user, contribution_id)
    try:
        changed = service.save_part(
            session, user=user, contribution=contribution, part=part, form=form, version=version
        )
    except (FormInvalid, service.EditConflict) as exc:
        return _save_failed(request, session, user, contribution, part, form, version, exc)
    kind, _sep, ref = part.partition(":")
    url = f"/contributions/{contribution.id}/{'sections' if kind == 'section' else 'objectives'}/{ref}?saved=1"
    if not _is_autosave(request):
        return RedirectResponse(url, status_code=303)
    response = render(request, "submissions/_save_status.html", {"state": "saved", "at": utcnow(), "changed": changed})
    response.headers["X-Version"] = str(service.part_version(contribution, part))
    return response


def _save_failed(
    request: Request,
    session: Session,
    user: User,
    contribution: Contribution,
    part: str,
    form: dict[str, list[str]],
    version: int | None,
    exc: AppError,
) -> Response:
    definition = service.definition_of(session, contribution)
    questions = [q for q in definition.questions_for(part) if q.type is not QuestionType.file]
    typed = {
        q.key: form.get(q.key, []) if q.type in answers.LIST_TYPES else (form.get(q.key) or [""])[0] for q in questions
    }
    labels = {q.key: pick(q.label, q.key)[0] for q in questions}
    errors = exc.errors if isinstance(exc, FormInvalid) else {}
    conflict = None
    if isinstance(exc, service.EditConflict):
        # What the other person saved, read again (this request loaded the contribution before their save).
        fresh = queries.get_contribution(session, contribution.id, fresh=True)
        contribution = fresh if fresh is not None else contribution
        record = service.part_record(contribution, part)
        theirs = {q.key: answers.form_value(q, service.part_values(contribution, part).get(q.key)) for q in questions}
        fields = [k for k in theirs if _differs(theirs[k], typed.get(k))]
        editor = session.get(User, record.updated_by_id) if record is not None and record.updated_by_id else None
        at = record.updated_at if record is not None else None
        conflict = {"theirs": theirs, "mine": typed, "fields": fields, "editor": editor, "at": at}
    if _is_autosave(request):
        if conflict is not None:
            response = render(
                request, "submissions/_conflict.html", {"conflict": conflict, "labels": labels}, status_code=409
            )
            response.headers["X-Version"] = str(service.part_version(contribution, part))
            return response
        status: dict[str, Any] = {"state": "invalid", "errors": errors, "message": exc.message, "labels": labels}
        return render(request, "submissions/_save_status.html", status, status_code=422)
    context = _part_context(session, user, contribution, part, values=typed, errors=errors, conflict=conflict)
    context["languages"] = languages.states((a for a in contribution.answers if a.part == part), form)
    # After a conflict the form carries the part's current version: saving now keeps what the user sees, knowingly.
    context["version"] = service.part_version(contribution, part) if conflict else version
    return render(request, "contributions/part.html", context, status_code=exc.status_code)


def _differs(theirs: Any, mine: Any) -> bool:
    if isinstance(theirs, list):
        return sorted(map(str, theirs)) != sorted(map(str, mine or []))
    return str(theirs or "").strip() != str(mine or "").replace("\r\n", "\n").strip()


# ---- documents answering file questions: one small form per question (not autosaved), kept in the database -------


def _part_url(contribution: Contribution, part: str) -> str:
    kind, _sep, ref = part.partition(":")
    return f"/contributions/{contribution.id}/{'sections' if kind == 'section' else 'objectives'}/{ref}"


@router.post("/contributions/{contribution_id}/files", name="contributions:attach")
def attach(
    request: Request,
    session: SessionDep,
    user: StakeholderUser,
    contribution_id: int,
    part: Annotated[str, Form(max_length=64)],
    key: Annotated[str, Form(max_length=63)],
    upload: Annotated[UploadFile | None, File()] = None,
    action: Annotated[str, Form(max_length=20)] = "attach",
) -> Response:
    contribution = _load(session, user, contribution_id)
    try:
        if action == "remove":
            service.detach_file(session, user=user, contribution=contribution, part=part, key=key)
        else:
            data = upload.file.read() if upload is not None else b""
            name = (upload.filename or "") if upload is not None else ""
            service.attach_file(session, user=user, contribution=contribution, part=part, key=key, name=name, data=data)
    except answers.AnswerInvalid as exc:  # refused before anything was written
        context = _part_context(session, user, contribution, part, errors={key: exc.message})
        return render(request, "contributions/part.html", context, status_code=422)
    return RedirectResponse(f"{_part_url(contribution, part)}?saved=1#{key}", status_code=303)


@router.get("/contributions/{contribution_id}/files/{file_id}", name="contributions:file")
def download(session: SessionDep, user: MaybeUser, contribution_id: int, file_id: int) -> Response:
    """A document of a contribution, for whoever may read its answers (``CONTRIBUTION_READS``), always as a download."""
    contribution = _load(session, user, contribution_id)
    stored = service.readable_file(session, user=user, contribution=contribution, file_id=file_id)
    return files.download(stored.name, stored.media_type, stored.content)
