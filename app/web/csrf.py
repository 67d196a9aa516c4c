"""CSRF protection by double submit: a random token in an HttpOnly cookie, echoed by every unsafe request.

Forms send it as the hidden field ``csrf_token``; htmx sends it as the ``X-CSRF-Token`` header (set once on
``<body hx-headers>``). The API (bearer tokens, no cookies) is not exposed to CSRF and is exempt.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import SAFE_METHODS
from app.errors import Forbidden
from app.i18n import _

CSRF_COOKIE = "gcm_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
EXEMPT_PREFIXES = ("/api/",)


def _cookie_from_scope(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if CSRF_COOKIE in jar:
                return jar[CSRF_COOKIE].value
    return None


class CSRFCookieMiddleware:
    """Makes sure every browser has a CSRF token; exposes it as ``request.state.csrf_token`` for templates."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _cookie_from_scope(scope)
        issue = token is None or len(token) < 20
        if issue:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = token

        async def send_with_cookie(message: Message) -> None:
            if issue and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                flags = "; Secure" if self.secure else ""
                headers.append("set-cookie", f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{flags}")
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def csrf_protect(request: Request) -> None:
    """Refuse (403) an unsafe request that does not echo the browser's CSRF token."""
    if request.method in SAFE_METHODS or request.url.path.startswith(EXEMPT_PREFIXES):
        return
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise Forbidden(
            _(
                "This form has expired or was sent from somewhere else. Reload the page and try again;"
                " what you typed is kept in the page."
            )
        )
