"""Sign-in, sign-out, passwords (own change; one-time links issued by an administrator), own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth import queries, service, sessions
from app.auth.dependencies import SESSION_COOKIE, CurrentUser, MaybeUser
from app.auth.models import Role
from app.db import SessionDep, utcnow
from app.errors import AppError, FormInvalid, NotFound
from app.i18n import LANGUAGE_NAMES, LOCALES, _
from app.web.locale import LANG_COOKIE, LANG_COOKIE_MAX_AGE
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str | None) -> str:
    """Only site-relative targets: never redirect a user off the site after sign-in."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url:
        return "/"
    return next_url


# Where each role starts its work: signing in without a page to return to lands there, not on the general home page.
START_PAGES = {
    Role.focal_point: "/my",
    Role.secretariat: "/review",
    Role.preparer: "/dashboards",
    Role.admin: "/admin/users",
    Role.stakeholder: "/my/organisation",
}


def _after_sign_in(next_url: str | None, role: Role) -> str:
    target = _safe_next(next_url)
    return START_PAGES.get(role, "/") if target == "/" else target


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


@router.get("/login", name="auth:login_form")
def login_form(request: Request, user: MaybeUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"errors": {}, "email": "", "next_url": _safe_next(next)})


@router.post("/login", name="auth:login")
def login(
    request: Request,
    session: SessionDep,
    _user: MaybeUser,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = _("Enter your e-mail address.")
    if not password:
        errors["password"] = _("Enter your password.")
    if not errors:
        try:
            user = sessions.authenticate(session, email=email, password=password, ip_address=_client_ip(request))
        except AppError as exc:
            errors[exc.field or "email"] = exc.message
            status = exc.status_code
        else:
            new = sessions.start_session(
                session, user=user, ip_address=_client_ip(request), user_agent=request.headers.get("user-agent", "")
            )
            response = RedirectResponse(_after_sign_in(next, user.role), status_code=303)
            _set_session_cookie(request, response, new.token)
            if user.language in LOCALES:  # the user's language follows them to this browser
                response.set_cookie(
                    LANG_COOKIE, user.language, max_age=LANG_COOKIE_MAX_AGE, samesite="lax",
                    secure=request.app.state.settings.cookie_secure, path="/",
                )  # fmt: skip
            return response
    else:
        status = 422
    context = {"errors": errors, "email": email, "next_url": _safe_next(next)}
    return render(request, "auth/login.html", context, status_code=status)


@router.post("/logout", name="auth:logout")
def logout(request: Request, session: SessionDep, _user: MaybeUser) -> Response:
    record = getattr(request.state, "user_session", None)
    if record is not None:
        sessions.end_session(session, record)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _password_errors(new_password: str, confirm_password: str) -> dict[str, str]:
    if new_password != confirm_password:
        return {"confirm_password": _("The two passwords are not the same.")}
    return {}


@router.get("/account/password", name="auth:password_form")
def password_form(request: Request, _user: CurrentUser, done: bool = False) -> Response:
    context = {"errors": {}, "heading": _("Change your password"), "ask_current": True, "done": done}
    return render(request, "auth/password.html", {**context, "for_user": None, "action": "/account/password"})


@router.post("/account/password", name="auth:password")
def change_password(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
    confirm_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    errors = _password_errors(new_password, confirm_password)
    if not errors:
        try:
            sessions.change_password(
                session,
                user=user,
                current_password=current_password,
                new_password=new_password,
                keep=request.state.user_session,
            )
        except AppError as exc:
            errors[exc.field or "new_password"] = exc.message
        else:
            return RedirectResponse("/account/password?done=true", status_code=303)
    context = {"errors": errors, "heading": _("Change your password"), "ask_current": True, "done": False}
    return render(
        request, "auth/password.html", {**context, "for_user": None, "action": "/account/password"}, status_code=422
    )


@router.get("/set-password/{token}", name="auth:set_password_form")
def set_password_form(request: Request, session: SessionDep, _user: MaybeUser, token: str) -> Response:
    record = sessions.get_password_token(session, token)
    context = {"errors": {}, "heading": _("Set your password"), "ask_current": False, "done": False}
    return render(
        request, "auth/password.html", {**context, "for_user": record.user, "action": f"/set-password/{token}"}
    )


@router.post("/set-password/{token}", name="auth:set_password")
def set_password(
    request: Request,
    session: SessionDep,
    _user: MaybeUser,
    token: str,
    new_password: Annotated[str, Form(max_length=1000)] = "",
    confirm_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    record = sessions.get_password_token(session, token)
    errors = _password_errors(new_password, confirm_password)
    if not errors:
        try:
            sessions.use_password_token(session, token=token, password=new_password)
        except AppError as exc:
            errors[exc.field or "new_password"] = exc.message
        else:
            return RedirectResponse("/login?password_set=1", status_code=303)
    context = {"errors": errors, "heading": _("Set your password"), "ask_current": False, "done": False}
    return render(
        request,
        "auth/password.html",
        {**context, "for_user": record.user, "action": f"/set-password/{token}"},
        status_code=422,
    )


def _tokens_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    *,
    status_code: int = 200,
    form: dict[str, str] | None = None,
    **extra: object,
) -> Response:
    context = {
        "tokens": queries.list_tokens(session, user.id),
        "now": utcnow(),
        "token_owner": None,
        "form": form or {"name": "", "days": str(service.TOKEN_DEFAULT_DAYS)},
        "errors": {},
        "issued": None,
        "notice": None,
        "max_days": service.TOKEN_MAX_DAYS,
        **extra,
    }
    response = render(request, "auth/tokens.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # a new token must not linger in caches or the back button
    return response


def _token_notices() -> dict[str, str]:
    return {"revoked": _("The token has been revoked: it no longer works.")}


@router.get("/account/tokens", name="auth:tokens")
def tokens(request: Request, session: SessionDep, user: CurrentUser, done: str = "") -> Response:
    return _tokens_page(request, session, user, notice=_token_notices().get(done))


@router.post("/account/tokens", name="auth:token_create")
def token_create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=1000)] = "",
    days: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    form = {"name": name, "days": days}
    try:
        issued = service.issue_token(session, user=user, name=name, days=days)
    except FormInvalid as exc:
        return _tokens_page(request, session, user, form=form, errors=exc.errors, status_code=422)
    return _tokens_page(request, session, user, issued=issued, notice=_("The token has been created."))


@router.post("/account/tokens/{token_id}/revoke", name="auth:token_revoke")
def token_revoke(request: Request, session: SessionDep, user: CurrentUser, token_id: int) -> Response:
    record = queries.get_user_token(session, user.id, token_id)
    if record is None:  # another user's token is not found, like one that does not exist
        raise NotFound(_("This token does not exist."))
    service.revoke_token(session, record)
    return RedirectResponse("/account/tokens?done=revoked", status_code=303)


def _language_options() -> list[tuple[str, str]]:
    return [("", _("The browser's language")), *LANGUAGE_NAMES.items()]


@router.get("/account", name="auth:profile")
def profile(request: Request, user: CurrentUser, done: bool = False) -> Response:
    context = {"user": user, "errors": {}, "language": user.language or "", "options": _language_options()}
    return render(request, "auth/profile.html", {**context, "done": done})


@router.post("/account", name="auth:profile_save")
def save_profile(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    language: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if language and language not in LOCALES:
        errors = {"language": _("Choose one of the languages listed.")}
        context = {"user": user, "errors": errors, "language": language, "options": _language_options()}
        return render(request, "auth/profile.html", {**context, "done": False}, status_code=422)
    service.set_language(session, user, language or None)
    target = "/account?done=1" + (f"&lang={language}" if language else "")  # the next page in the chosen language
    return RedirectResponse(target, status_code=303)


@router.get("/language", name="auth:language")
def choose_language(request: Request, _user: MaybeUser, next: str = "/") -> Response:
    """``/language?lang=fr&next=/page``: the switcher's link from a page that cannot be reloaded (a form's
    answer to a post). app.web.locale remembers the language; a signed-in user's preference follows."""
    return RedirectResponse(_safe_next(next), status_code=303)
