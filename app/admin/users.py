"""Administration of users: list, create (with a one-time password link), edit, deactivate, reactivate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.admin.dependencies import ManagedUser
from app.admin.schemas import UserEditForm, UserForm, role_labels
from app.audit.queries import list_history
from app.auth import invitations, sessions
from app.auth import queries as auth_queries
from app.auth import service as auth_service
from app.auth.dependencies import AdminUser
from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.db import SessionDep, utcnow
from app.errors import AppError, Conflict, FormInvalid, NotFound
from app.i18n import LANGUAGE_NAMES, _
from app.organisations import queries as organisation_queries
from app.web.pagination import page_number
from app.web.templating import render

router = APIRouter(prefix="/admin/users")


def _notices() -> dict[str, str]:
    return {
        "saved": _("The changes have been saved."),
        "deactivated": _(
            "The user has been deactivated and signed out everywhere. Their password links no longer work."
        ),
        "reactivated": _("The user has been reactivated and can sign in again. Their old API tokens stay revoked."),
        "token_revoked": _("The API token has been revoked: it no longer works."),
    }


def _choices(session: Session) -> dict[str, Any]:
    listed = catalog_queries.list_countries(session)
    countries = [(c.iso3, c.name) for c in listed]
    return {
        "country_names": {c.id: c.name for c in listed},
        "role_options": list(role_labels().items()),
        "country_options": [("", _("None (only focal points have a country)")), *countries],
        "organisation_options": [
            ("", _("None (only stakeholders belong to an organisation)")),
            *((str(o.id), o.name) for o in organisation_queries.list_organisations(session)),
        ],
        "role_labels": role_labels(),
        "language_options": [("", _("The browser's language")), *LANGUAGE_NAMES.items()],
    }


USERS_PER_PAGE = 50


@router.get("", name="admin:users")
def users(
    request: Request,
    session: SessionDep,
    _admin: AdminUser,
    q: str = "",
    role: str = "",
    country: str = "",
    page: str = "",
) -> Response:
    """Every user, searched by name or e-mail address and filtered by role and country, 50 a page. A role or a
    country that does not exist filters nothing (the form offers only real ones)."""
    text = q.strip()[:200]
    chosen_role = role if role in role_labels() else ""
    countries = catalog_queries.list_countries(session)
    chosen_country = next((c for c in countries if c.iso3 == country.upper()), None)
    number = page_number(page)
    filters: dict[str, Any] = {
        "text": text,
        "role": chosen_role or None,
        "country_id": getattr(chosen_country, "id", None),
    }
    found, total = auth_queries.search_users(
        session, **filters, offset=(number - 1) * USERS_PER_PAGE, limit=USERS_PER_PAGE
    )
    pages = max(1, -(-total // USERS_PER_PAGE))
    if number > pages:  # past the end (the list got shorter): the last page
        number = pages
        found, total = auth_queries.search_users(
            session, **filters, offset=(number - 1) * USERS_PER_PAGE, limit=USERS_PER_PAGE
        )
    query = {
        k: v
        for k, v in {"q": text, "role": chosen_role, "country": chosen_country.iso3 if chosen_country else ""}.items()
        if v
    }
    context = {
        "users": found,
        "total": total,
        "page": number,
        "pages": pages,
        "query": query,
        "filtered": bool(query),
        "role_labels": role_labels(),
        "role_options": [("", _("Any role")), *role_labels().items()],
        "country_options": [("", _("Any country")), *((c.iso3, c.name) for c in countries)],
    }
    return render(request, "admin/users.html", context)


@router.get("/new", name="admin:user_new")
def user_new(request: Request, session: SessionDep, _admin: AdminUser) -> Response:
    context = {"form": UserForm(), "errors": {}, **_choices(session)}
    return render(request, "admin/user_new.html", context)


@router.post("", name="admin:user_create")
def user_create(request: Request, session: SessionDep, admin: AdminUser, form: Annotated[UserForm, Form()]) -> Response:
    try:
        user = auth_service.register_user(
            session,
            email=form.email,
            name=form.name,
            role=form.role,
            country=form.country,
            organisation=form.organisation,
            language=form.language,
        )
    except FormInvalid as exc:
        context = {"form": form, "errors": exc.errors, **_choices(session)}
        return render(request, "admin/user_new.html", context, status_code=422)
    return _password_link_page(request, session, user=user, admin=admin, created=True)


@router.post("/{user_id}/password-link", name="admin:user_password_link")
def user_password_link(request: Request, session: SessionDep, admin: AdminUser, user: ManagedUser) -> Response:
    if not user.is_active:
        raise Conflict(_("This user is deactivated. Reactivate them before issuing a password link."))
    return _password_link_page(request, session, user=user, admin=admin, created=False)


def _password_link_page(request: Request, session: Session, *, user: User, admin: User, created: bool) -> Response:
    """Issue a one-time link: mailed to the user when mail is configured, else shown this once (it is not stored)."""
    token = sessions.issue_password_link(session, user=user, issued_by=admin)
    settings = request.app.state.settings
    path = request.app.url_path_for("auth:set_password_form", token=token)
    expires_at = utcnow() + sessions.PASSWORD_LINK_LIFETIME
    mailed = invitations.mail_configured(settings)
    if mailed:
        link = invitations.link_base(settings, str(request.base_url)) + path
        invitations.send_password_link(session, user=user, link=link, expires_at=expires_at, new_account=created)
    context = {
        "user": user,
        "link": None if mailed else str(request.base_url).rstrip("/") + path,
        "mailed": mailed,
        "created": created,
        "days": sessions.PASSWORD_LINK_LIFETIME.days,
        "expires_at": expires_at,
        "role_labels": role_labels(),
    }
    response = render(request, "admin/user_link.html", context)
    response.headers["Cache-Control"] = "no-store"  # the link must not linger in caches or the back button
    return response


def _edit_page(request: Request, session: Session, user: User, *, status_code: int = 200, **extra: Any) -> Response:
    context = {
        "user": user,
        "form": UserEditForm.of(user),
        "errors": {},
        "conflict": False,
        "message": None,
        "notice": None,
        "history": list_history(session, entity_type="user_account", entity_id=user.id),
        "tokens": auth_queries.list_tokens(session, user.id),
        "now": utcnow(),
        **_choices(session),
        **extra,
    }
    return render(request, "admin/user_edit.html", context, status_code=status_code)


@router.get("/{user_id}", name="admin:user_edit")
def user_edit(request: Request, session: SessionDep, _admin: AdminUser, user: ManagedUser, done: str = "") -> Response:
    return _edit_page(request, session, user, notice=_notices().get(done))


@router.post("/{user_id}", name="admin:user_update")
def user_update(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    user: ManagedUser,
    form: Annotated[UserEditForm, Form()],
) -> Response:
    try:
        auth_service.update_user(
            session,
            user=user,
            actor=admin,
            name=form.name,
            role=form.role,
            country=form.country,
            organisation=form.organisation,
            language=form.language,
            version=form.version,
        )
    except auth_service.UserEditConflict:
        # Keep what the admin typed; the form now carries the saved version, so saving again is a knowing choice.
        kept = form.model_copy(update={"version": user.version})
        return _edit_page(request, session, user, form=kept, conflict=True, status_code=409)
    except FormInvalid as exc:
        return _edit_page(request, session, user, form=form, errors=exc.errors, status_code=422)
    return RedirectResponse(request.app.url_path_for("admin:user_edit", user_id=user.id) + "?done=saved", 303)


@router.post("/{user_id}/deactivate", name="admin:user_deactivate")
def user_deactivate(request: Request, session: SessionDep, admin: AdminUser, user: ManagedUser) -> Response:
    try:
        auth_service.deactivate_user(session, user=user, actor=admin)
    except AppError as exc:
        return _edit_page(request, session, user, message=exc.message, status_code=exc.status_code)
    return RedirectResponse(request.app.url_path_for("admin:user_edit", user_id=user.id) + "?done=deactivated", 303)


@router.post("/{user_id}/reactivate", name="admin:user_reactivate")
def user_reactivate(request: Request, session: SessionDep, _admin: AdminUser, user: ManagedUser) -> Response:
    auth_service.reactivate_user(session, user=user)
    return RedirectResponse(request.app.url_path_for("admin:user_edit", user_id=user.id) + "?done=reactivated", 303)


@router.post("/{user_id}/tokens/{token_id}/revoke", name="admin:user_token_revoke")
def user_token_revoke(
    request: Request, session: SessionDep, _admin: AdminUser, user: ManagedUser, token_id: int
) -> Response:
    record = auth_queries.get_user_token(session, user.id, token_id)
    if record is None:
        raise NotFound(_("This user has no such API token."))
    auth_service.revoke_token(session, record)
    return RedirectResponse(request.app.url_path_for("admin:user_edit", user_id=user.id) + "?done=token_revoked", 303)
