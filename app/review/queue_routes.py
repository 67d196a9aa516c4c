"""The secretariat's review queue: every member and associate member with its submission status for a cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import SecretariatUser
from app.auth.models import User
from app.catalog.models import Country
from app.cycles.models import ReviewCycle
from app.db import SessionDep, utcnow
from app.errors import AppError, FormInvalid, NotFound
from app.i18n import LazyLabels, _, lazy_gettext
from app.review import assignment, queue
from app.submissions.models import Submission
from app.web.templating import render

router = APIRouter(include_in_schema=False)

STATUS_LABELS = LazyLabels(
    {
        queue.NOT_STARTED: lazy_gettext("Not started"),
        "draft": lazy_gettext("Draft"),
        "submitted": lazy_gettext("Submitted"),
        "changes_requested": lazy_gettext("Changes requested"),
        "approved": lazy_gettext("Approved"),
        "published": lazy_gettext("Published"),
    }
)
# The same statuses inside a sentence ("12 submitted, 6 changes requested").
SUMMARY_LABELS = LazyLabels(
    {
        queue.NOT_STARTED: lazy_gettext("not started"),
        "draft": lazy_gettext("draft"),
        "submitted": lazy_gettext("submitted"),
        "changes_requested": lazy_gettext("changes requested"),
        "approved": lazy_gettext("approved"),
        "published": lazy_gettext("published"),
    }
)
VIEW_LABELS = LazyLabels(
    {
        "": lazy_gettext("Every country"),
        "mine": lazy_gettext("Assigned to me"),
        "resubmitted": lazy_gettext("Resubmitted"),
        "approved": lazy_gettext("Approved, not yet published"),
        "overdue": lazy_gettext("Overdue"),
    }
)
SORT_LABELS = LazyLabels({"waiting": lazy_gettext("Longest waiting first"), "country": lazy_gettext("Country name")})


@dataclass
class Params:
    """The query string as typed (kept in the form), what it selects, and what is wrong with it."""

    cycle: str
    status: str
    subregion: str
    sort: str
    view: str = ""
    selected: ReviewCycle | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _parse(params: Params, cycles: list[ReviewCycle], subregions: list[str]) -> Params:
    if params.cycle:
        params.selected = next((c for c in cycles if str(c.id) == params.cycle.strip()), None)
        if params.selected is None:
            params.errors["cycle"] = _("There is no such review cycle. Choose one from the list.")
    else:
        params.selected = queue.default_cycle(cycles)
    if params.status and params.status not in queue.QUEUE_STATUSES:
        params.errors["status"] = _("Choose a status from the list.")
    if params.subregion and params.subregion not in (*subregions, queue.OUTSIDE_REGION):
        params.errors["subregion"] = _("Choose a subregion from the list.")
    if params.sort not in queue.SORTS:
        params.errors["sort"] = _("Sort by waiting time or by country name.")
    if params.view and params.view not in queue.VIEWS:
        params.errors["view"] = _("Choose a view from the list.")
    return params


def _kept(params: Params, **changes: str) -> dict[str, str]:
    """The query string of the queue as shown, with ``changes``; empty values left out."""
    # The cycle shown, by id: the link keeps showing this cycle after another one opens.
    cycle = str(params.selected.id) if params.selected is not None else params.cycle
    kept = {"cycle": cycle, "status": params.status, "subregion": params.subregion, "view": params.view}
    kept["sort"] = params.sort
    return {key: value for key, value in {**kept, **changes}.items() if value}


def _queue_url(request: Request, query: dict[str, str]) -> str:
    base = str(request.app.url_path_for("review:queue"))
    return f"{base}?{urlencode(query)}" if query else base


def _sort_urls(request: Request, params: Params) -> dict[str, str]:
    return {sort: _queue_url(request, _kept(params, sort=sort)) for sort in queue.SORTS}


def _view_urls(request: Request, params: Params) -> dict[str, str]:
    """Each view of the cycle shown (its status filter dropped: the view's count is of every status)."""
    return {view: _queue_url(request, _kept(params, status="", view=view)) for view in ("", *queue.VIEWS)}


def _status_urls(request: Request, params: Params) -> dict[str, str]:
    return {status: _queue_url(request, _kept(params, status=status, view="")) for status in queue.QUEUE_STATUSES}


def _context(
    request: Request,
    session: Session,
    params: Params,
    cycles: list[ReviewCycle],
    subregions: list[str],
    reader: User,
    **extra: Any,
) -> dict[str, Any]:
    cycle = params.selected
    rows: list[queue.QueueRow] = []
    counts: dict[str, int] = {}
    view_counts: dict[str, int] = {}
    today = utcnow().date()
    if cycle is not None and not params.errors:
        chosen = queue.QueueFilter(
            cycle, params.status or None, params.subregion or None, params.sort, params.view or None, reader.id
        )
        rows = queue.list_queue(session, chosen, today=today)
        numbers = queue.count(session, cycle, reader_id=reader.id, today=today)
        counts, view_counts = numbers.by_status, numbers.by_view
    reviewers = assignment.reviewers(session) if rows else []
    return {
        "params": params,
        "errors": params.errors,
        "cycle": cycle,
        "cycle_options": [(str(c.id), c.name) for c in cycles],
        "status_options": [("", _("All statuses")), *STATUS_LABELS.items()],
        "subregion_options": [
            ("", _("All subregions")),
            *((name, name) for name in subregions),
            (queue.OUTSIDE_REGION, _("Outside the region")),
        ],
        "rows": rows,
        "counts": counts,
        "status_labels": STATUS_LABELS,
        "summary_labels": SUMMARY_LABELS,
        "sort_labels": SORT_LABELS,
        "sort_urls": _sort_urls(request, params),
        "view_labels": VIEW_LABELS,
        "view_urls": _view_urls(request, params),
        "view_counts": view_counts,
        "status_urls": _status_urls(request, params),
        # The queue as shown, for the assignment forms to come back to.
        "return_query": urlencode(_kept(params)),
        "reviewer_options": [("", _("Nobody"))]
        + [(str(u.id), _("%(name)s (you)") % {"name": u.name} if u.id == reader.id else u.name) for u in reviewers],
        "reader": reader,
        "assign_errors": {},
        "assign_values": {},
        "assigned": None,
        **extra,
    }


@router.get("/review", name="review:queue")
def queue_page(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    cycle: str = "",
    status: str = "",
    subregion: str = "",
    sort: str = "waiting",
    view: str = "",
    assigned: str = "",
) -> Response:
    params, cycles, subregions = _params(session, cycle, status, subregion, sort, view)
    done = _assigned_notice(session, assigned)
    context = _context(request, session, params, cycles, subregions, user, assigned=done)
    status_code = 422 if params.errors else 200
    return render(request, "review/queue.html", context, block="queue_table", status_code=status_code)


def _params(
    session: Session, cycle: str, status: str, subregion: str, sort: str, view: str
) -> tuple[Params, list[ReviewCycle], list[str]]:
    cycles = queue.list_cycles(session)
    subregions = queue.list_subregion_names(session)
    return _parse(Params(cycle, status, subregion, sort or "waiting", view), cycles, subregions), cycles, subregions


def _assigned_notice(session: Session, assigned: str) -> dict[str, Any] | None:
    """After an assignment (``?assigned=<submission id>``): the review's country and whom it is assigned to now."""
    if not assigned.isdigit() or len(assigned) > 9:
        return None
    submission = session.get(Submission, int(assigned))
    if submission is None:
        return None
    record = assignment.current(session, submission)
    reviewer = session.get(User, record.assigned_to_id) if record and record.assigned_to_id else None
    return {"country": session.get(Country, submission.country_id), "reviewer": reviewer}


class AssignForm(BaseModel):
    assignee: str = ""
    version: int = 0
    # The queue as it was shown (its query string), to come back to.
    back: str = ""


@router.post("/review/assignments/{submission_id}", name="review:assign")
def assign(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    submission_id: int,
    form: Annotated[AssignForm, Form()],
) -> Response:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(_("There is no such review."))
    back = _back_query(form.back)
    try:
        assignment.assign(session, submission=submission, assignee=form.assignee, actor=user, version=form.version)
    except AppError as exc:
        message = exc.errors.get("assignee", exc.message) if isinstance(exc, FormInvalid) else exc.message
        extra = {"assign_errors": {submission.id: message}, "assign_values": {submission.id: form.assignee}}
        for query in (back, {"cycle": str(submission.review_cycle_id), "sort": back.get("sort", "waiting")}):
            params, cycles, subregions = _params(
                session, query.get("cycle", ""), query.get("status", ""), query.get("subregion", ""),
                query.get("sort", "waiting"), query.get("view", ""),
            )  # fmt: skip
            context = _context(request, session, params, cycles, subregions, user, **extra)
            if any(row.submission is not None and row.submission.id == submission.id for row in context["rows"]):
                break  # the review's row is shown (else the queue unfiltered shows it, beside its error)
        return render(request, "review/queue.html", context, status_code=exc.status_code)
    query = {**back, "assigned": str(submission.id)}
    return RedirectResponse(_queue_url(request, query) + f"#queue-{submission.id}", 303)


def _back_query(back: str) -> dict[str, str]:
    """The queue's own parameters from the posted query string, nothing else (never a redirect elsewhere)."""
    known = ("cycle", "status", "subregion", "sort", "view")
    return {key: value[:100] for key, value in parse_qsl(back[:2000]) if key in known and value}
