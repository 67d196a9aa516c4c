"""Turns errors into JSON (API) or an HTML page (everything else); never a stack trace or SQL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.db import get_session
from app.errors import AppError, FormInvalid, SignInRequired
from app.i18n import LazyLabels, _, lazy_gettext, ngettext
from app.web.security import SESSION_COOKIE, error_headers
from app.web.templating import render

log = logging.getLogger("gcm.errors")


class FieldError(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    """The body of every API error."""

    message: str
    errors: list[FieldError] = []


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz" or path == "/openapi.json"


def _respond(
    request: Request, status: int, message: str, errors: list[FieldError] | None = None, headers: Any = None
) -> Response:
    if wants_json(request):
        body = ErrorResponse(message=message, errors=errors or [])
        return JSONResponse(body.model_dump(), status_code=status, headers=headers)
    template = f"errors/{status}.html" if status in (401, 403, 404, 503) else "errors/error.html"
    response = render(request, template, {"status": status, "message": message}, status_code=status)
    if headers:
        response.headers.update(headers)
    return response


def _who_is_signed_in(request: Request, session_user: Callable[[Request, Session], object]) -> None:
    """For a page no route matched (no dependency read the session cookie): find who is signed in, so the error
    page does not look as if the visitor had been signed out. Read-only; on any failure the page shows no user."""
    if hasattr(request.state, "signed_in") or not request.cookies.get(SESSION_COOKIE):
        return
    request.state.signed_in = None
    provider = request.app.dependency_overrides.get(get_session, get_session)  # the tests' own session, if any
    sessions = provider(request)
    try:
        session_user(request, next(sessions))
    except Exception:  # a page that was not found must not fail for this
        log.warning("could not read the session of a request for a missing page", exc_info=True)
        request.state.signed_in = None
    finally:
        sessions.close()  # rolls the read back and closes the session


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


STATUS_MESSAGES = LazyLabels(
    {
        401: lazy_gettext("Sign in to see this page."),
        403: lazy_gettext("You do not have permission to do this."),
        404: lazy_gettext("The page or record was not found."),
        405: lazy_gettext("This method is not allowed here."),
    }
)


def _status_message(exc: StarletteHTTPException) -> str:
    """The reader's message for an HTTP error: ours for Starlette's own English phrase ("Not Found")."""
    detail = exc.detail if isinstance(exc.detail, str) else ""
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = ""
    if detail and detail != phrase:
        return _(detail)  # raised with a message of ours (translated already, or an English msgid)
    return STATUS_MESSAGES.get(exc.status_code) or _("The request could not be handled.")


def _validation_message(error: Mapping[str, Any]) -> str:
    """A request validation error (Pydantic's, English) in the reader's language, by its stable ``type``; our own
    validators' messages (``value_error``) are already translated; a rare type keeps Pydantic's words."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        limit = int(ctx.get("max_length", 0))
        if kind == "too_long":
            return ngettext("At most %(n)s item.", "At most %(n)s items.", limit) % {"n": limit}
        return ngettext("At most %(n)s character.", "At most %(n)s characters.", limit) % {"n": limit}
    if kind in ("string_too_short", "too_short"):
        limit = int(ctx.get("min_length", 0))
        if kind == "too_short":
            return ngettext("At least %(n)s item.", "At least %(n)s items.", limit) % {"n": limit}
        return ngettext("At least %(n)s character.", "At least %(n)s characters.", limit) % {"n": limit}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"):
        return _("Enter a number.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), "")
        messages = {
            "greater_than_equal": _("Enter %(bound)s or more."),
            "greater_than": _("Enter more than %(bound)s."),
            "less_than_equal": _("Enter %(bound)s or less."),
            "less_than": _("Enter less than %(bound)s."),
        }
        return messages[kind] % {"bound": bound}
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind in ("date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"):
        return _("Enter a date and time as YYYY-MM-DDTHH:MM.")
    if kind in ("string_type", "string_unicode"):
        return _("Enter text.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Enter a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Enter an object.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind == "extra_forbidden":
        return _("This field is not allowed.")
    return str(error.get("msg", ""))


def install_error_handlers(app: FastAPI, session_user: Callable[[Request, Session], object]) -> None:
    """``session_user`` reads who is signed in from the session cookie (app.auth's, given by app.main: the core
    imports no feature); a page no route matched uses it to show the visitor as signed in."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if wants_json(request):
            return _respond(request, 401, exc.message, None, {"WWW-Authenticate": "Bearer"})
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": exc.login_url})
        return RedirectResponse(exc.login_url, status_code=303)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if isinstance(exc, FormInvalid):  # every field's message, as the forms show them beside the fields
            errors = [FieldError(field=name, message=message) for name, message in exc.errors.items()]
        else:
            errors = [FieldError(field=exc.field, message=exc.message)] if exc.field else []
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return _respond(request, exc.status_code, exc.message, errors, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _status_message(exc)
        if exc.status_code in (404, 405) and not wants_json(request):
            await run_in_threadpool(_who_is_signed_in, request, session_user)
        return _respond(request, exc.status_code, message, None, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [FieldError(field=_field_name(tuple(e["loc"])), message=_validation_message(e)) for e in exc.errors()]
        return _respond(request, 422, _("The request has invalid values."), errors)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> Response:
        log.error("database unavailable: %s", exc.__class__.__name__)
        return _respond(
            request, 503, _("The database is unavailable. Nothing was changed; please try again in a minute.")
        )

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _unstorable_value(request: Request, exc: Exception) -> Response:
        # A value the database refuses (too long for its column, a number beyond its range, a NUL) that no check
        # stopped earlier (app/web/inputs.py): the request's fault, and nothing was written (rolled back).
        log.warning("value refused by the database: %s", exc.__class__.__name__)
        return _respond(
            request, 400, _("The request has a value that is too long, too large or not allowed. Nothing was changed.")
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        log.exception("database error")
        return _respond(request, 500, _("Something went wrong on our side. Nothing was changed."))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        # This handler runs outside the middleware stack: add the security headers here.
        return _respond(
            request, 500, _("Something went wrong on our side. Nothing was changed."), None, error_headers()
        )
