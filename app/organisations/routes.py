"""Organisations: the public request to take part, the secretariat's decisions, the list of organisations and the
page to edit one (secretariat and administrators: name, type, country, website; a stakeholder reads theirs on
/my/organisation and asks the secretariat for a change), a stakeholder's organisation page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth import invitations, sessions
from app.auth.dependencies import MaybeUser, SecretariatUser, StakeholderUser
from app.catalog import queries as catalog_queries
from app.contributions import queries as contribution_queries
from app.contributions.models import status_labels
from app.db import SessionDep, utcnow
from app.errors import AppError, Conflict, FormInvalid, NotFound
from app.i18n import _
from app.organisations import queries, service
from app.organisations.models import Organisation, OrganisationRequest, RequestStatus, type_labels
from app.organisations.schemas import DecisionForm, JoinForm
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _choices(session: Session) -> dict[str, Any]:
    labels = type_labels()
    return {
        "type_options": [("", _("Choose…")), *((t.value, text) for t, text in labels.items())],
        "country_options": [
            ("", _("None or several")),
            *((c.iso3, c.name) for c in catalog_queries.list_countries(session)),
        ],
        "limits": {
            "name": service.NAME_MAX,
            "website": service.WEBSITE_MAX,
            "contact": service.CONTACT_MAX,
            "email": service.EMAIL_MAX,
            "motivation": service.MOTIVATION_MAX,
        },
    }


@router.get("/organisations/join", name="organisations:join_form")
def join_form(request: Request, session: SessionDep, _user: MaybeUser, sent: bool = False) -> Response:
    context = {"form": JoinForm(), "errors": {}, "sent": sent, "message": None, **_choices(session)}
    return render(request, "organisations/join.html", context)


@router.post("/organisations/join", name="organisations:join")
def join(request: Request, session: SessionDep, _user: MaybeUser, form: Annotated[JoinForm, Form()]) -> Response:
    try:
        service.request_to_join(session, **form.model_dump(), ip_address=_client_ip(request))
    except FormInvalid as exc:
        context = {"form": form, "errors": exc.errors, "sent": False, "message": None, **_choices(session)}
        return render(request, "organisations/join.html", context, status_code=422)
    except service.TooManyRequests as exc:
        context = {"form": form, "errors": {}, "sent": False, "message": exc.message, **_choices(session)}
        return render(request, "organisations/join.html", context, status_code=429)
    return RedirectResponse(request.app.url_path_for("organisations:join_form") + "?sent=true", 303)


def _notices() -> dict[str, str]:
    return {"declined": _("The request has been declined. The requester is told why by e-mail.")}


@router.get("/organisations/requests", name="organisations:requests")
def requests(request: Request, session: SessionDep, _user: SecretariatUser, done: str = "") -> Response:
    context = {
        "pending": queries.list_requests(session),
        "decided": [r for r in queries.list_requests(session, status=None) if r.status is not RequestStatus.pending][
            :50
        ],
        "type_labels": type_labels(),
        "notice": _notices().get(done),
    }
    return render(request, "organisations/requests.html", context)


def _load(session: Session, request_id: int) -> OrganisationRequest:
    record = queries.get_request(session, request_id)
    if record is None:
        raise NotFound(_("There is no such request."))
    return record


def _request_page(
    request: Request, session: Session, record: OrganisationRequest, *, status_code: int = 200, **extra: Any
) -> Response:
    existing = queries.organisation_named(session, record.organisation_name)
    context = {
        "record": record,
        "existing": existing,
        "type_labels": type_labels(),
        "errors": {},
        "reason": "",
        "message": None,
        "reason_max": service.REASON_MAX,
        **extra,
    }
    return render(request, "organisations/request.html", context, status_code=status_code)


@router.get("/organisations/requests/{request_id}", name="organisations:request")
def request_detail(request: Request, session: SessionDep, _user: SecretariatUser, request_id: int) -> Response:
    return _request_page(request, session, _load(session, request_id))


@router.post("/organisations/requests/{request_id}/accept", name="organisations:accept")
def accept(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    request_id: int,
    form: Annotated[DecisionForm, Form()],
) -> Response:
    record = _load(session, request_id)
    try:
        with session.begin_nested():
            accepted = service.accept_request(session, record=record, actor=user, version=form.version)
    except AppError as exc:
        record = _load(session, request_id)  # the savepoint's rollback expired it: load it again, with its country
        return _request_page(request, session, record, message=exc.message, status_code=exc.status_code)
    token = sessions.issue_password_link(session, user=accepted.user, issued_by=user)
    settings = request.app.state.settings
    path = request.app.url_path_for("auth:set_password_form", token=token)
    expires_at = utcnow() + sessions.PASSWORD_LINK_LIFETIME
    mailed = invitations.mail_configured(settings)  # then the link goes by e-mail, else it is shown this once
    if mailed:
        link = invitations.link_base(settings, str(request.base_url)) + path
        invitations.send_password_link(session, user=accepted.user, link=link, expires_at=expires_at, new_account=True)
    context = {
        "record": record,
        "accepted": accepted,
        "link": None if mailed else str(request.base_url).rstrip("/") + path,
        "mailed": mailed,
        "days": sessions.PASSWORD_LINK_LIFETIME.days,
        "expires_at": expires_at,
    }
    response = render(request, "organisations/accepted.html", context)
    response.headers["Cache-Control"] = "no-store"  # the link must not linger in caches or the back button
    return response


@router.post("/organisations/requests/{request_id}/decline", name="organisations:decline")
def decline(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    request_id: int,
    form: Annotated[DecisionForm, Form()],
) -> Response:
    record = _load(session, request_id)
    try:
        service.decline_request(session, record=record, actor=user, reason=form.reason, version=form.version)
    except FormInvalid as exc:
        return _request_page(request, session, record, errors=exc.errors, reason=form.reason, status_code=422)
    except AppError as exc:
        return _request_page(
            request, session, record, message=exc.message, reason=form.reason, status_code=exc.status_code
        )
    return RedirectResponse(request.app.url_path_for("organisations:requests") + "?done=declined", 303)


# ---- the organisations (the secretariat and administrators): the list, and a page to edit one ----


@router.get("/organisations", name="organisations:list")
def organisations_list(request: Request, session: SessionDep, _user: SecretariatUser, saved: str = "") -> Response:
    organisations = queries.list_organisations(session)
    context = {
        "organisations": organisations,
        "type_labels": type_labels(),
        "saved": next((o for o in organisations if str(o.id) == saved), None),
    }
    return render(request, "organisations/list.html", context)


def _organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = queries.get_organisation(session, organisation_id)
    if organisation is None:
        raise NotFound(_("There is no such organisation."))
    return organisation


def _edit_page(
    request: Request,
    session: Session,
    organisation: Organisation,
    *,
    values: dict[str, str] | None = None,
    version: int | None = None,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    message: str | None = None,
) -> Response:
    shown = values or {
        "name": organisation.name,
        "type": organisation.type.value,
        "country": organisation.country.iso3 if organisation.country else "",
        "website": organisation.website,
    }
    context = {
        "organisation": organisation,
        "values": shown,
        "version": organisation.version if version is None else version,
        "errors": errors or {},
        "message": message,
        "type_labels": type_labels(),
        **_choices(session),
    }
    return render(request, "organisations/edit.html", context, status_code=status_code)


@router.get("/organisations/{organisation_id}/edit", name="organisations:edit_form")
def edit_form(request: Request, session: SessionDep, _user: SecretariatUser, organisation_id: int) -> Response:
    return _edit_page(request, session, _organisation(session, organisation_id))


@router.post("/organisations/{organisation_id}/edit", name="organisations:edit")
def edit(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    organisation_id: int,
    name: Annotated[str, Form(max_length=1000)] = "",
    type: Annotated[str, Form(max_length=50)] = "",
    country: Annotated[str, Form(max_length=10)] = "",
    website: Annotated[str, Form(max_length=1000)] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    organisation = _organisation(session, organisation_id)
    typed = {"name": name, "type": type, "country": country, "website": website}
    try:
        service.update_organisation(
            session,
            organisation=organisation,
            actor=user,
            name=name,
            type=type,
            country=country,
            website=website,
            version=version,
        )
    except FormInvalid as exc:
        return _edit_page(
            request, session, organisation, values=typed, version=version, errors=exc.errors, status_code=422
        )
    except Conflict as exc:  # someone saved first: their values in the form, what this user typed kept beside
        fresh = _organisation(session, organisation_id)
        session.refresh(fresh)
        return _edit_page(request, session, fresh, values=typed, message=exc.message, status_code=409)
    return RedirectResponse(request.app.url_path_for("organisations:list") + f"?saved={organisation.id}", 303)


@router.get("/my/organisation", name="organisations:mine")
def my_organisation(request: Request, session: SessionDep, user: StakeholderUser) -> Response:
    organisation = queries.get_organisation(session, user.organisation_id) if user.organisation_id else None
    if organisation is None:
        raise NotFound(_("Your account belongs to no organisation. Ask the secretariat."))
    cycle = contribution_queries.get_open_cycle(session)
    contributions = contribution_queries.list_for_organisation(session, organisation.id)
    context = {
        "organisation": organisation,
        "type_label": type_labels()[organisation.type],
        "members": queries.list_members(session, organisation.id),
        "open_cycle": cycle,
        "contributions": contributions,
        "current": next((c for c in contributions if cycle is not None and c.review_cycle_id == cycle.id), None),
        "status_labels": status_labels(),
    }
    return render(request, "organisations/mine.html", context)
