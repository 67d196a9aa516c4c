"""The focal point's home and the pages of a voluntary GCM review (sections, objective reports, submit)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.audit.queries import list_history
from app.auth.dependencies import CurrentUser, FocalPointUser
from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.comments import panels as comment_panels
from app.db import SessionDep, utcnow
from app.errors import AppError, Conflict, FormInvalid, NotFound
from app.i18n import _
from app.submissions import queries, service
from app.submissions.dependencies import ReadableSubmission
from app.submissions.models import (
    ObjectiveReport,
    ReportingChoice,
    SectionKey,
    Submission,
    SubmissionSection,
)
from app.submissions.pages import can_edit, detail_response, field_labels
from app.submissions.rules import (
    NOT_REPORTED_REASON_MAX,
    PROGRESS_SCALE,
    PROGRESS_STEP,
    REPORT_FIELDS,
    SECTION_HINTS,
    SECTION_MAX,
    SECTION_TITLES,
)
from app.visibility import Aspect, ensure_can_read
from app.web.templating import render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=100_000)]


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
    context = {
        "cycle": cycle,
        "submission": submission,
        "checklist": service.checklist(submission) if submission else [],
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


@router.post("/submissions/{submission_id}/submit", name="submissions:submit")
def submit(request: Request, session: SessionDep, user: FocalPointUser, submission: ReadableSubmission) -> Response:
    try:
        service.submit(session, user=user, submission=submission)
    except service.IncompleteSubmission as exc:
        missing = {item.key: item for item in exc.items}
        return detail_response(request, session, submission, status_code=422, missing=missing, submit_error=exc.message)
    return RedirectResponse(f"/submissions/{submission.id}?submitted=1", status_code=303)


# ---- general sections ------------------------------------------------------------------------------------------


def _section(session: SessionDep, submission: Submission, key: str) -> SubmissionSection:
    try:
        section = queries.get_section(session, submission, SectionKey(key))
    except ValueError:
        section = None
    if section is None:
        raise NotFound(_("The page or record was not found."))
    return section


def _section_context(submission: Submission, section: SubmissionSection, user: User, **extra: Any) -> dict[str, Any]:
    return {
        "submission": submission,
        "section": section,
        "title": SECTION_TITLES[section.key],
        "hint": SECTION_HINTS[section.key],
        "max_length": SECTION_MAX,
        "can_edit": can_edit(user, submission, section),
        "can_read_history": service.can_read(user, submission, Aspect.history),
        "values": {"body": section.body},
        "version": section.version,
        "errors": {},
        "conflict": None,
        "saved": False,
        **extra,
    }


@router.get("/submissions/{submission_id}/sections/{key}", name="submissions:section")
def section_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    submission: ReadableSubmission,
    key: str,
    saved: bool = False,
) -> Response:
    section = _section(session, submission, key)
    panel = comment_panels.panel(session, user, submission, f"section:{key}")
    context = _section_context(submission, section, user, saved=saved, panel=panel)
    return render(request, "submissions/section.html", context)


@router.post("/submissions/{submission_id}/sections/{key}", name="submissions:section_save")
def section_save(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    submission: ReadableSubmission,
    key: str,
    body: Text = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    section = _section(session, submission, key)
    try:
        changed = service.save_section(
            session, user=user, submission=submission, section=section, body=body, version=version
        )
    except AppError as exc:
        return _save_failed(request, session, exc, submission, section, {"body": body}, version)
    return _saved(request, section.version, changed, f"/submissions/{submission.id}/sections/{key}?saved=1")


# ---- objective reports -----------------------------------------------------------------------------------------


def _report(submission: Submission, number: int) -> ObjectiveReport:
    report = queries.get_report(submission, number)
    if report is None:
        raise NotFound(_("The page or record was not found."))
    return report


def _report_values(report: ObjectiveReport) -> dict[str, Any]:
    return {
        "reporting": report.reporting.value,
        "not_reported_reason": report.not_reported_reason,
        "progress_rating": report.progress_rating.value if report.progress_rating else "",
        **{spec.name: getattr(report, spec.name) for spec in REPORT_FIELDS},
        "principles": [p.code for p in report.principles],
        "commitments": [c.id for c in report.commitments],
    }


def _report_context(
    session: SessionDep, submission: Submission, report: ObjectiveReport, user: User, **extra: Any
) -> dict[str, Any]:
    return {
        "submission": submission,
        "report": report,
        "objective": report.objective,
        "can_edit": can_edit(user, submission, report),
        "can_read_history": service.can_read(user, submission, Aspect.history),
        "values": _report_values(report),
        "version": report.version,
        "errors": {},
        "conflict": None,
        "saved": False,
        "fields": REPORT_FIELDS,
        "reason_max": NOT_REPORTED_REASON_MAX,
        "scale": PROGRESS_SCALE,
        "steps": PROGRESS_STEP,
        "principles": catalog_queries.list_principles(session),
        "commitments": queries.list_country_commitments(session, submission.country_id),
        "neighbours": _neighbours(report.objective.number),
        **extra,
    }


def _neighbours(number: int) -> tuple[int | None, int | None]:
    return (number - 1 if number > 1 else None, number + 1 if number < 23 else None)


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
    context = _report_context(session, submission, report, user, saved=saved, panel=panel)
    return render(request, "submissions/objective.html", context)


@router.post("/submissions/{submission_id}/objectives/{number}", name="submissions:objective_save")
def objective_save(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    submission: ReadableSubmission,
    number: int,
    reporting: Annotated[str, Form(max_length=20)] = "reported",
    not_reported_reason: Text = "",
    progress_rating: Annotated[str, Form(max_length=20)] = "",
    narrative: Text = "",
    laws_and_policies: Text = "",
    good_practices: Text = "",
    challenges: Text = "",
    partners: Text = "",
    principles: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    commitments: Annotated[list[int], Form()] = [],  # noqa: B006
    version: Annotated[int | None, Form()] = None,
) -> Response:
    report = _report(submission, number)
    texts = {
        "narrative": narrative,
        "laws_and_policies": laws_and_policies,
        "good_practices": good_practices,
        "challenges": challenges,
        "partners": partners,
    }
    data = service.ReportInput(reporting, not_reported_reason, progress_rating, texts, principles, commitments)
    try:
        changed = service.save_objective_report(
            session, user=user, submission=submission, report=report, data=data, version=version
        )
    except AppError as exc:
        typed = {
            "reporting": reporting,
            "not_reported_reason": not_reported_reason,
            "progress_rating": progress_rating,
            **texts,
            "principles": principles,
            "commitments": commitments,
        }
        return _save_failed(request, session, exc, submission, report, typed, version)
    url = f"/submissions/{submission.id}/objectives/{number}?saved=1"
    return _saved(request, report.version, changed, url)


# ---- saving: shared by sections and reports --------------------------------------------------------------------


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
    typed: dict[str, Any],
    version: int | None,
) -> Response:
    """Nothing was saved: answer with the reason, the user's input kept, and for a conflict both versions."""
    if not isinstance(exc, service.EditConflict | FormInvalid):
        raise exc  # read-only, not found...: the error page (or the autosave script shows the message)
    if _is_autosave(request):
        return _autosave_failure(request, session, exc, record, typed)
    user = request.state.user_session.user
    errors = exc.errors if isinstance(exc, FormInvalid) else {}
    conflict = _conflict(session, record, typed) if isinstance(exc, service.EditConflict) else None
    if isinstance(record, SubmissionSection):
        context = _section_context(submission, record, user, values=typed, errors=errors, conflict=conflict)
        template = "submissions/section.html"
    else:
        context = _report_context(session, submission, record, user, values=typed, errors=errors, conflict=conflict)
        template = "submissions/objective.html"
    # After a conflict the form carries the current version: saving now keeps what the user sees, knowingly.
    context["version"] = record.version if conflict else version
    return render(request, template, context, status_code=exc.status_code)


def _conflict(
    session: SessionDep, record: SubmissionSection | ObjectiveReport, typed: dict[str, Any]
) -> dict[str, Any]:
    theirs = {"body": record.body} if isinstance(record, SubmissionSection) else _report_values(record)
    fields = [k for k in theirs if k in typed and _differs(theirs[k], typed[k])]
    editor = session.get(User, record.updated_by_id) if record.updated_by_id else None
    return {"theirs": theirs, "mine": typed, "fields": fields, "editor": editor, "at": record.updated_at}


def _differs(theirs: Any, mine: Any) -> bool:
    if isinstance(theirs, list):
        return sorted(map(str, theirs)) != sorted(map(str, mine))
    return str(theirs or "").strip() != str(mine or "").replace("\r\n", "\n").strip()


def _autosave_failure(
    request: Request,
    session: SessionDep,
    exc: AppError,
    record: SubmissionSection | ObjectiveReport,
    typed: dict[str, Any],
) -> Response:
    if isinstance(exc, service.EditConflict):
        context: dict[str, Any] = {"conflict": _conflict(session, record, typed), "labels": field_labels()}
        response = render(request, "submissions/_conflict.html", context, status_code=409)
        response.headers["X-Version"] = str(record.version)
        return response
    errors = exc.errors if isinstance(exc, FormInvalid) else {}
    context = {"state": "invalid", "errors": errors, "message": exc.message, "labels": field_labels()}
    return render(request, "submissions/_save_status.html", context, status_code=422)


def _value_labels() -> dict[str, dict[str, str]]:
    """Stored values shown by their labels in the history (a rating, not "under_way")."""
    return {
        "progress_rating": {rating.value: label for rating, (label, _help) in PROGRESS_SCALE.items()},
        "reporting": {
            ReportingChoice.reported.value: _("Reported"),
            ReportingChoice.not_reported.value: _("Not reported"),
        },
    }


# ---- history ---------------------------------------------------------------------------------------------------


@router.get("/submissions/{submission_id}/sections/{key}/history", name="submissions:section_history")
def section_history(
    request: Request, session: SessionDep, user: CurrentUser, submission: ReadableSubmission, key: str
) -> Response:
    ensure_can_read(user, submission.country_id, submission.status, Aspect.history)
    section = _section(session, submission, key)
    entries = list_history(session, entity_type="submission_section", entity_id=section.id)
    context = {
        "submission": submission,
        "title": SECTION_TITLES[section.key],
        "entries": entries,
        "labels": field_labels(),
        "values": _value_labels(),
    }
    return render(request, "submissions/history.html", context)


@router.get("/submissions/{submission_id}/objectives/{number}/history", name="submissions:objective_history")
def objective_history(
    request: Request, session: SessionDep, user: CurrentUser, submission: ReadableSubmission, number: int
) -> Response:
    ensure_can_read(user, submission.country_id, submission.status, Aspect.history)
    report = _report(submission, number)
    entries = list_history(session, entity_type="objective_report", entity_id=report.id)
    title = _("Objective %(n)s: %(title)s") % {"n": number, "title": report.objective.short_title}
    context = {
        "submission": submission,
        "title": title,
        "entries": entries,
        "labels": field_labels(),
        "values": _value_labels(),
    }
    return render(request, "submissions/history.html", context)
