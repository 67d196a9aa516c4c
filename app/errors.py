"""Errors that carry their HTTP status: services raise them, handlers turn them into pages or JSON."""

from __future__ import annotations

from urllib.parse import quote

from app.i18n import _


class AppError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        message = str(message)  # a lazy string (a module's constant) read now, in the reader's language
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class ValidationFailed(AppError):
    status_code = 422


class FormInvalid(ValidationFailed):
    """Several fields of a form are wrong at once; ``errors`` maps each field to its message. Nothing was saved."""

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:

        super().__init__(
            message or _("Some fields need correcting; nothing was saved."), field=next(iter(errors), None)
        )
        self.errors = {name: str(text) for name, text in errors.items()}


class SignInRequired(AppError):
    """Raised for a signed-out visitor: pages redirect to the sign-in form, htmx gets HX-Redirect, APIs 401."""

    status_code = 401

    def __init__(self, next_url: str = "/") -> None:
        super().__init__(_("Sign in to continue."))
        self.login_url = "/login?next=" + quote(next_url, safe="/")
