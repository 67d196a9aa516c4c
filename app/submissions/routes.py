"""The focal point's home and the pages of a voluntary GCM review (sections, objective reports, submit)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.audit.diff import word_diff
from app.audit.queries import list_history_of
from app.auth.dependencies import CurrentUser, FocalPointUser
from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.comments import panels as comment_panels
from app.db import SessionDep, utcnow
from app.errors import AppError, Conflict, FormInvalid, NotFound, ValidationFailed
from app.i18n import _, pick
from app.questionnaires import answers, languages
from app.questionnaires.schemas import Definition, Question
from app.submissions import queries, service
from app.submissions.dependencies import ReadableSubmission
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection
from app.submissions.pages import (
    can_edit,
    detail_response,
    field_labels,
    is_reopened,
    latest_sent_back,
    next_to_complete,
    part_reasons_of,
)
from app.submissions.whole import whole_pdf, whole_response
from app.visibility import Aspect, ensure_can_read
from app.web.pagination import paginate
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _is_autosave(request: Request) -> bool:
    return request.headers.get("X-Autosave") == "1"


@router.get("/my", name="submissions:home")
def focal_point_home(request: Request, session: SessionDep, user: FocalPointUser) -> Response:
    cycle = queries.get_open_cycle(session)
    submission = None
    if cycle is not None:
        found = queries.get_country_submission(session, country_id=user.country_id or 0, cycle_id=cycle.id)
        submission = queries.get_submission(session, found.id) if found else None
    today = utcnow().date()
    sent_back = latest_sent_back(session, submission) if submission else None
    context = {
        "cycle": cycle,
        "submission": submission,
        "sent_back": sent_back,
        "part_reasons": part_reasons_of(session, submission) if submission else {},
        "reopened_parts": [i for i in service.checklist(session, submission) if is_reopened(submission, i.key)]
        if submission
        else [],
        "checklist": service.checklist(session, submission) if submission else [],
        "days_left": (cycle.deadline - today).days if cycle else None,
        "history": queries.list_country_submissions(session, user.country_id or 0),
        "last_accepted": (
            queries.get_last_accepted(session, country_id=user.country_id or 0, before_cycle_id=cycle.id)
            if cycle and submission is None
            else None
        ),
    }
    return render(request, "submissions/home.html", context)


@router.post("/my/submissions", name="submissions:start")
def start(session: SessionDep, user: FocalPointUser, carry_forward: Annotated[bool, Form()] = False) -> Response:
    cycle = queries.get_open_cycle(session)
    if cycle is None:
        raise Conflict(_("No review cycle is open at the moment."))
    source = None
    if carry_forward:
        source = queries.get_last_accepted(session, country_id=user.country_id or 0, before_cycle_id=cycle.id)
        if source is None:
            raise Conflict(_("Your country has no approved review to carry forward."))
    submission = service.start_submission(session, user=user, cycle=cycle, carry_forward=source)
    return RedirectResponse(f"/submissions/{submission.id}", status_code=303)


@router.get("/submissions/{submission_id}", name="submissions:detail")
def detail(request: Request, session: SessionDep, _user: CurrentUser, submission: ReadableSubmission) -> Response:
    return detail_response(request, session, submission)


@router.get("/submissions/{submission_id}/whole", name="submissions:whole")
def whole(request: Request, session: SessionDep, _user: CurrentUser, submission: ReadableSubmission) -> Response:
    """The whole review on one page, for reading and printing; the reviewer comments and marks parts from it."""
    return whole_response(request, session, submission)


@router.get("/submissions/{submission_id}/whole.pdf", name="submissions:whole_pdf")
def whole_as_pdf(request: Request, session: SessionDep, _user: CurrentUser, submission: ReadableSubmission) -> Response:
    """The whole review as a PDF (one review is small: printed at once)."""
    content = whole_pdf(request, session, submission)
    name = f"gcm-review-{submission.country.iso3.lower()}-{submission.review_cycle_id}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}
    return Response(content, media_type="application/pdf", headers=headers)


@router.get("/submissions/{submission_id}/check", name="submissions:check")
def check(request: Request, session: SessionDep, _user: FocalPointUser, submission: ReadableSubmission) -> Response:
    """The focal point's "Check your answers": the whole review, a Change link per part, then the submit button."""
    return whole_response(request, session, submission, template="submissions/check.html", mode="check")


@router.post("/submissions/{submission_id}/submit", name="submissions:submit")
def submit(request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission) -> Response:
    try:
        service.submit(session, user=user, submission=submission)
    except service.IncompleteSubmission as exc:
        missing = {item.key: item for item in exc.items}
        return whole_response(
            request,
            session,
            submission,
            template="submissions/check.html",
            mode="check",
            status_code=422,
            missing=missing,
            submit_error=exc.message,
        )
    except ValidationFailed as exc:  # no objective reported
        return whole_response(
            request,
            session,
            submission,
            template="submissions/check.html",
            mode="check",
            status_code=422,
            missing={},
            submit_error=exc.message,
        )
    return RedirectResponse(f"/submissions/{submission.id}?submitted=1", status_code=303)


# ---- the parts' forms: questions of the cycle's questionnaire ------------------------------------------------------


async def posted_form(request: Request) -> dict[str, list[str]]:
    """Every field a form posted, as typed (a list per name; uploaded files left out)."""
    form = await request.form()  # parsed once: app/web/inputs.py has checked it already
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and name not in ("csrf_token", "version"):
            fields.setdefault(name, []).append(value)
    return fields


PostedForm = Annotated[dict[str, list[str]], Depends(posted_form)]


def _section(submission: Submission, key: str) -> SubmissionSection:
    section = service.find_part(submission, f"section:{key}")
    if not isinstance(section, SubmissionSection):
        raise NotFound(_("The page or record was not found."))
    return section


def _report(submission: Submission, number: int) -> ObjectiveReport:
    report = queries.get_report(submission, number)
    if report is None:
        raise NotFound(_("The page or record was not found."))
    return report


def _stored_values(session: SessionDep, submission: Submission, key: str) -> dict[str, Any]:
    """The part's answers as its form shows them (strings; lists for the list types)."""
    definition = service.definition_of(session, submission)
    ids = service.form_context(session, submission).pledge_ids
    values = service.part_values(submission, key)
    return {q.key: answers.form_value(q, values.get(q.key), ids) for q in definition.questions_for(key)}


def _typed_values(session: SessionDep, submission: Submission, key: str, form: dict[str, list[str]]) -> dict[str, Any]:
    """What the user typed, to show back when nothing was saved."""
    definition = service.definition_of(session, submission)
    return {
        q.key: form.get(q.key, []) if q.type in answers.LIST_TYPES else (form.get(q.key) or [""])[0]
        for q in definition.questions_for(key)
    }


def _part_context(
    session: SessionDep, submission: Submission, part: SubmissionSection | ObjectiveReport, user: User, **extra: Any
) -> dict[str, Any]:
    definition = service.definition_of(session, submission)
    key = service.part_key(submission, part)
    context: dict[str, Any] = {
        "submission": submission,
        "part": part,
        "part_key": key,
        "questions": definition.questions_for(key),
        "scale": definition.rating_scale,
        "can_edit": can_edit(user, submission, part),
        "can_read_history": service.can_read(user, submission, Aspect.history),
        "values": _stored_values(session, submission, key),
        "stored_values": service.part_values(submission, key),
        "languages": languages.states(service.part_answers(submission, key).values()),
        "version": part.version,
        "errors": {},
        "conflict": None,
        "saved": False,
        "principles": catalog_queries.list_principles(session),
        "commitments": queries.list_country_commitments(session, submission.country_id),
        "next_part": next_to_complete(session, user, submission, after=key),
        "part_reason": part_reasons_of(session, submission).get(key, "") if part.reopened else "",
        "sent_back": latest_sent_back(session, submission) if part.reopened else None,
    }
    if isinstance(part, SubmissionSection):
        section = definition.section(part.key)
        context["title"] = pick(section.label, part.key)[0] if section else part.key
        context["hint"] = section.hint.get("en", "") if section else ""
    else:
        context["report"] = part
        context["objective"] = part.objective
        context["neighbours"] = _neighbours(part.objective.number)
    context.update(extra)
    return context


def _template(part: SubmissionSection | ObjectiveReport) -> str:
    return "submissions/section.html" if isinstance(part, SubmissionSection) else "submissions/objective.html"


def _neighbours(number: int) -> tuple[int | None, int | None]:
    return (number - 1 if number > 1 else None, number + 1 if number < 23 else None)


@router.get("/submissions/{submission_id}/sections/{key}", name="submissions:section")
def section_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    submission: ReadableSubmission,
    key: str,
    saved: bool = False,
) -> Response:
    section = _section(submission, key)
    panel = comment_panels.panel(session, user, submission, f"section:{key}")
    context = _part_context(session, submission, section, user, saved=saved, panel=panel)
    return render(request, "submissions/section.html", context)


@router.get("/submissions/{submission_id}/objectives/{number}", name="submissions:objective")
def objective_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    submission: ReadableSubmission,
    number: int,
    saved: bool = False,
) -> Response:
    report = _report(submission, number)
    panel = comment_panels.panel(session, user, submission, f"objective:{number}")
    context = _part_context(session, submission, report, user, saved=saved, panel=panel)
    return render(request, "submissions/objective.html", context)


@router.post("/submissions/{submission_id}/sections/{key}", name="submissions:section_save")
def section_save(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    submission: ReadableSubmission,
    key: str,
    form: PostedForm,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    section = _section(submission, key)
    return _save(request, session, user, submission, section, form, version)


@router.post("/submissions/{submission_id}/objectives/{number}", name="submissions:objective_save")
def objective_save(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    submission: ReadableSubmission,
    number: int,
    form: PostedForm,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    report = _report(submission, number)
    return _save(request, session, user, submission, report, form, version)


# ---- file attachments: one small form per file question (not autosaved), the document kept in the database ------


def _part_url(submission: Submission, part: str) -> str:
    kind, _sep, ref = part.partition(":")
    return f"/submissions/{submission.id}/{'sections' if kind == 'section' else 'objectives'}/{ref}"


@router.post("/submissions/{submission_id}/files", name="submissions:attach")
def attach(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    submission: ReadableSubmission,
    part: Annotated[str, Form(max_length=64)],
    key: Annotated[str, Form(max_length=63)],
    upload: Annotated[UploadFile | None, File()] = None,
    action: Annotated[str, Form(max_length=20)] = "attach",
) -> Response:
    record = service.find_part(submission, part)
    if record is None:
        raise NotFound(_("The page or record was not found."))
    try:
        if action == "remove":
            service.detach_file(session, user=user, submission=submission, part=part, key=key)
        else:
            data = upload.file.read() if upload is not None else b""
            name = (upload.filename or "") if upload is not None else ""
            service.attach_file(session, user=user, submission=submission, part=part, key=key, name=name, data=data)
    except answers.AnswerInvalid as exc:
        session.rollback()
        fresh = queries.get_submission(session, submission.id)
        assert fresh is not None
        again = service.find_part(fresh, part)
        assert again is not None
        context = _part_context(session, fresh, again, user, errors={key: exc.message})
        return render(request, _template(again), context, status_code=422)
    return RedirectResponse(f"{_part_url(submission, part)}?saved=1#{key}", status_code=303)


@router.get("/submissions/{submission_id}/files/{file_id}", name="submissions:file")
def download(session: SessionDep, user: CurrentUser, submission: ReadableSubmission, file_id: int) -> Response:
    stored = service.readable_file(session, user=user, submission=submission, file_id=file_id)
    quoted = quote(stored.name)
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(stored.content, media_type=stored.media_type, headers=headers)


# ---- saving: shared by sections and reports --------------------------------------------------------------------


def _save(
    request: Request,
    session: SessionDep,
    user: User,
    submission: Submission,
    part: SubmissionSection | ObjectiveReport,
    form: dict[str, list[str]],
    version: int | None,
) -> Response:
    try:
        changed = service.save_part(session, user=user, submission=submission, part=part, form=form, version=version)
    except AppError as exc:
        return _save_failed(request, session, exc, submission, part, form, version)
    if isinstance(part, SubmissionSection):
        url = f"/submissions/{submission.id}/sections/{part.key}?saved=1"
    else:
        url = f"/submissions/{submission.id}/objectives/{part.objective.number}?saved=1"
    return _saved(request, part.version, changed, url)


def _saved(request: Request, version: int, changed: bool, url: str) -> Response:
    if not _is_autosave(request):
        return RedirectResponse(url, status_code=303)
    response = render(request, "submissions/_save_status.html", {"state": "saved", "at": utcnow(), "changed": changed})
    response.headers["X-Version"] = str(version)
    return response


def _save_failed(
    request: Request,
    session: SessionDep,
    exc: AppError,
    submission: Submission,
    record: SubmissionSection | ObjectiveReport,
    form: dict[str, list[str]],
    version: int | None,
) -> Response:
    """Nothing was saved: answer with the reason, the user's input kept, and for a conflict both versions."""
    if not isinstance(exc, service.EditConflict | FormInvalid):
        raise exc  # read-only, not found...: the error page (or the autosave script shows the message)
    key = service.part_key(submission, record)
    typed = _typed_values(session, submission, key, form)
    labels = field_labels(session, submission)
    if _is_autosave(request):
        if isinstance(exc, service.EditConflict):
            context: dict[str, Any] = {"conflict": _conflict(session, submission, record, typed), "labels": labels}
            response = render(request, "submissions/_conflict.html", context, status_code=409)
            response.headers["X-Version"] = str(record.version)
            return response
        errors = exc.errors if isinstance(exc, FormInvalid) else {}
        context = {"state": "invalid", "errors": errors, "message": exc.message, "labels": labels}
        return render(request, "submissions/_save_status.html", context, status_code=422)
    user = request.state.user_session.user
    errors = exc.errors if isinstance(exc, FormInvalid) else {}
    conflict = _conflict(session, submission, record, typed) if isinstance(exc, service.EditConflict) else None
    context = _part_context(
        session, submission, record, user, values=typed, errors=errors, conflict=conflict, labels=labels
    )
    context["languages"] = languages.states(service.part_answers(submission, key).values(), form)
    # After a conflict the form carries the current version: saving now keeps what the user sees, knowingly.
    context["version"] = record.version if conflict else version
    return render(request, _template(record), context, status_code=exc.status_code)


def _conflict(
    session: SessionDep, submission: Submission, record: SubmissionSection | ObjectiveReport, typed: dict[str, Any]
) -> dict[str, Any]:
    theirs = _stored_values(session, submission, service.part_key(submission, record))
    fields = [k for k in theirs if k in typed and _differs(theirs[k], typed[k])]
    editor = session.get(User, record.updated_by_id) if record.updated_by_id else None
    return {"theirs": theirs, "mine": typed, "fields": fields, "editor": editor, "at": record.updated_at}


def _differs(theirs: Any, mine: Any) -> bool:
    if isinstance(theirs, list):
        return sorted(map(str, theirs)) != sorted(map(str, mine))
    return str(theirs or "").strip() != str(mine or "").replace("\r\n", "\n").strip()


# ---- history ---------------------------------------------------------------------------------------------------


HISTORY_PER_PAGE = 25


def _part_history(
    request: Request, session: SessionDep, user: User, submission: Submission, key: str, title: str
) -> Response:
    """Every change to the part's answers, newest first: question by question, values as the reader reads them;
    25 changes a page (``?page=``; past the end: the last page)."""
    ensure_can_read(user, submission.country_id, submission.status, Aspect.history)
    definition = service.definition_of(session, submission)
    entries = list_history_of(session, entity_type="answer", entity_ids=queries.answer_ids(session, submission.id, key))
    shown = paginate(entries, request.query_params.get("page"), HISTORY_PER_PAGE)
    context = {
        "submission": submission,
        "title": title,
        "page": shown.page,
        "pages": shown.pages,
        "total": shown.total,
        "entries": [(event, who, _answer_question(definition, key, event)) for event, who in shown.items],
        "definition": definition,
        "text_diff": word_diff,
        "answer_text": answers.display,
    }
    return render(request, "submissions/history.html", context)


def _answer_question(definition: Definition, part: str, event: Any) -> Question | None:
    data = event.after or event.before or {}
    return definition.question(part, str(data.get("key", "")))


@router.get("/submissions/{submission_id}/sections/{key}/history", name="submissions:section_history")
def section_history(
    request: Request, session: SessionDep, user: CurrentUser, submission: ReadableSubmission, key: str
) -> Response:
    _section(submission, key)
    definition = service.definition_of(session, submission)
    section = definition.section(key)
    title = pick(section.label, key)[0] if section else key
    return _part_history(request, session, user, submission, f"section:{key}", title)


@router.get("/submissions/{submission_id}/objectives/{number}/history", name="submissions:objective_history")
def objective_history(
    request: Request, session: SessionDep, user: CurrentUser, submission: ReadableSubmission, number: int
) -> Response:
    report = _report(submission, number)
    title = _("Objective %(n)s: %(title)s") % {"n": number, "title": report.objective.short_title}
    return _part_history(request, session, user, submission, f"objective:{number}", title)
