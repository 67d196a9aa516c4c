"""Malformed requests get a 4xx before any route sees them, never a 500 from deep inside the database driver.

PostgreSQL cannot store or even compare a text containing NUL, and both databases refuse integers beyond their
columns (PostgreSQL: 32-bit ``integer`` ids; SQLite: 64-bit). Checked once here rather than per route:

- ``MalformedRequestMiddleware`` (every request, static files included): a path or query string with NUL (raw or
  ``%00``) or that is not UTF-8 once decoded is 400 (422 under ``/api/``, like its validation errors); a URL longer
  than ``MAX_URL_BYTES`` is 414; a header line longer than ``MAX_HEADER_BYTES``, or headers longer than
  ``MAX_HEADERS_BYTES`` in all, are 431.
- ``check_inputs`` (a dependency of every route, after the CSRF check): an ``int`` path parameter outside the
  32-bit signed range is 404 (no record can have that id); an ``int`` query parameter outside it is 422; a form
  text field (urlencoded or multipart, not the contents of an uploaded file) containing NUL is 400. The form is the
  one Starlette parses for the route anyway (same size limits: ``app/web/limits.py`` caps the body as it arrives).

``app.web.errors`` still answers 400 for a ``DataError`` a route lets through (a value too long for its column).
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin
from urllib.parse import unquote_to_bytes

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db import SAFE_METHODS
from app.i18n import _

MAX_URL_BYTES = 8 * 1024  # path and query string (a search, a filtered export link fit in far less)
MAX_HEADER_BYTES = 8 * 1024  # one header line, as nginx's default large_client_header_buffers
MAX_HEADERS_BYTES = 32 * 1024  # all of them
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer, the type of every id column
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _bad_text(raw: bytes, *, plus_is_space: bool = False) -> bool:
    """True when the percent-decoded bytes hold NUL or are not UTF-8."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" ") if plus_is_space else raw)
    if b"\x00" in decoded:
        return True
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def malformed(scope: Scope) -> tuple[int, str] | None:
    """The status and message for a request that no route should see, or None."""
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    query: bytes = scope.get("query_string", b"")
    if len(raw_path) + len(query) > MAX_URL_BYTES:
        return 414, _("The address is too long.")
    total = 0
    for name, value in scope.get("headers", []):
        line = len(name) + len(value) + 2
        total += line
        if line > MAX_HEADER_BYTES or total > MAX_HEADERS_BYTES:
            return 431, _("The request headers are too long.")
    if "\x00" in scope["path"] or _bad_text(raw_path) or _bad_text(query, plus_is_space=True):
        return 400, _("The address contains characters that are not allowed.")
    return None


class MalformedRequestMiddleware:
    """400/414/431 for a request whose address or headers no route could handle (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = malformed(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        from app.web.errors import _respond  # the error pages need the templates; imported late

        status, message = refusal
        if status == 400 and scope["path"].startswith("/api/"):
            status = 422  # the API's documented answer to a value it cannot take (as FastAPI's validation)
        response = _respond(Request(scope, receive), status, message)
        await response(scope, receive, send)


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(arg is int for arg in get_args(annotation))
    return False


def _flat(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _flat(sub)


_CACHE_ATTRIBUTE = "_gcm_int_params"  # kept on the route object (routes are not hashable)


def _int_params(route: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The names of the route's ``int`` path and query parameters (its own and its dependencies')."""
    known: tuple[frozenset[str], frozenset[str]] | None = getattr(route, _CACHE_ATTRIBUTE, None)
    if known is None:
        dependant = getattr(route, "dependant", None)
        path: set[str] = set()
        query: set[str] = set()
        for dep in _flat(dependant) if dependant is not None else ():
            path.update(p.alias for p in dep.path_params if _is_int(p.field_info.annotation))
            query.update(p.alias for p in dep.query_params if _is_int(p.field_info.annotation))
        known = (frozenset(path), frozenset(query))
        setattr(route, _CACHE_ATTRIBUTE, known)
    return known


def _out_of_range(value: str) -> bool:
    try:
        number = int(value.strip())
    except ValueError:  # not a number: the route's own validation says so (422)
        return False
    return not INT_MIN <= number <= INT_MAX


async def check_inputs(request: Request) -> None:
    """404 for an impossible id, 422 for an impossible integer filter, 400 for NUL in a form's text."""
    route = request.scope.get("route")
    if route is not None:
        path_ints, query_ints = _int_params(route)
        for name in path_ints:
            value = request.path_params.get(name)
            if isinstance(value, str) and _out_of_range(value):
                raise HTTPException(404)
        errors = [
            {
                "type": "int_range",
                "loc": ("query", name),
                "msg": _("Input should be a whole number between {low} and {high}").format(low=INT_MIN, high=INT_MAX),
                "input": value,
            }
            for name in query_ints
            for value in request.query_params.getlist(name)
            if _out_of_range(value)
        ]
        if errors:
            raise RequestValidationError(errors)
    if request.method in SAFE_METHODS or not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return
    form = await request.form()  # parsed once: the route's own Form() parameters read the same one
    for name, value in form.multi_items():
        if "\x00" in name or (not isinstance(value, UploadFile) and "\x00" in value):
            raise HTTPException(400, _("The form contains characters that are not allowed."))
