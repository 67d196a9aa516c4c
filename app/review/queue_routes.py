"""The secretariat's review queue: every member and associate member with its submission status for a cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import SecretariatUser
from app.cycles.models import ReviewCycle
from app.db import SessionDep, utcnow
from app.i18n import LazyLabels, _, lazy_gettext
from app.review import queue
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
SORT_LABELS = LazyLabels({"waiting": lazy_gettext("Longest waiting first"), "country": lazy_gettext("Country name")})


@dataclass
class Params:
    """The query string as typed (kept in the form), what it selects, and what is wrong with it."""

    cycle: str
    status: str
    subregion: str
    sort: str
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
    return params


def _sort_urls(request: Request, params: Params) -> dict[str, str]:
    base = str(request.app.url_path_for("review:queue"))
    # The cycle shown, by id: the link keeps showing this cycle after another one opens.
    cycle = str(params.selected.id) if params.selected is not None else params.cycle
    kept = {"cycle": cycle, "status": params.status, "subregion": params.subregion}
    return {sort: f"{base}?{urlencode({**kept, 'sort': sort})}" for sort in queue.SORTS}


def _context(
    request: Request, session: Session, params: Params, cycles: list[ReviewCycle], subregions: list[str]
) -> dict[str, Any]:
    cycle = params.selected
    rows: list[queue.QueueRow] = []
    counts: dict[str, int] = {}
    if cycle is not None and not params.errors:
        chosen = queue.QueueFilter(cycle, params.status or None, params.subregion or None, params.sort)
        rows = queue.list_queue(session, chosen, today=utcnow().date())
        counts = queue.count_by_status(session, cycle)
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
    }


@router.get("/review", name="review:queue")
def queue_page(
    request: Request,
    session: SessionDep,
    _user: SecretariatUser,
    cycle: str = "",
    status: str = "",
    subregion: str = "",
    sort: str = "waiting",
) -> Response:
    cycles = queue.list_cycles(session)
    subregions = queue.list_subregion_names(session)
    params = _parse(Params(cycle, status, subregion, sort or "waiting"), cycles, subregions)
    context = _context(request, session, params, cycles, subregions)
    status_code = 422 if params.errors else 200
    return render(request, "review/queue.html", context, block="queue_table", status_code=status_code)
