"""The signed-in user's notifications: the list, mark one or all as read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.notifications import queries, service
from app.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)


def _list(request: Request, session: SessionDep, user_id: int, status: str = "") -> Response:
    context = {
        "notifications": queries.list_notifications(session, user_id),
        "status": status,
        "oob": is_htmx(request),  # also refresh the menu's unread count
    }
    return render(request, "notifications/list.html", context, block="notification_list")


@router.get("/notifications", name="notifications:list")
def notification_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _list(request, session, user.id)


@router.post("/notifications/{notification_id}/read", name="notifications:read")
def mark_read(request: Request, session: SessionDep, user: CurrentUser, notification_id: int) -> Response:
    note = queries.get_own(session, user.id, notification_id)
    if note is None:  # someone else's notification is not found, like a missing one
        raise NotFound(_("The page or record was not found."))
    service.mark_read(session, note)
    if is_htmx(request):
        return _list(request, session, user.id, _("Marked as read."))
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/read-all", name="notifications:read_all")
def mark_all_read(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    count = service.mark_all_read(session, user)
    if is_htmx(request):
        return _list(request, session, user.id, _("%(n)s marked as read.") % {"n": count})
    return RedirectResponse("/notifications", status_code=303)
