"""CSRF protection that cannot go stale: the browser says where a request comes from; a signed token otherwise.

An unsafe request (not GET/HEAD/OPTIONS, outside ``/api/``) is checked as Go's ``net/http.CrossOriginProtection``
and Datasette do:

1. ``Sec-Fetch-Site`` (sent by every browser since 2023): ``same-origin`` or ``none`` (typed by the user) passes;
   anything else (``cross-site``, ``same-site``: another application on a sibling domain) is refused.
2. Without it, ``Origin``: its host must be the request's ``Host`` (or the origin of ``GCM_PUBLIC_URL``); ``null``
   or any other origin is refused.
3. Without either (an old browser, or a client that is not a browser), the request must carry the page's token: the
   hidden field ``csrf_token`` of every form, or the ``X-CSRF-Token`` header htmx sends (``<body hx-headers>``).
   The token is an HMAC of the session cookie with the secret key: the same for every page of a session (two tabs,
   a form left open, a page served by another instance), worthless for any other session, and never stored.

Nothing is set in a cookie, and cookies are read with Starlette's lenient parser, so a cookie of another
application that Python's ``SimpleCookie`` cannot parse changes nothing. The API (bearer tokens, no cookies) is not
exposed to CSRF and is exempt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request

from app.db import SAFE_METHODS
from app.errors import Forbidden
from app.i18n import _
from app.web.security import SESSION_COOKIE

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
EXEMPT_PREFIXES = ("/api/",)
FETCH_SITE_ALLOWED = frozenset({"same-origin", "none"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def token_for(secret_key: str, session_token: str | None) -> str:
    """The CSRF token of a browser whose session cookie is ``session_token`` (None: not signed in)."""
    message = b"gcm-csrf\x00" + (session_token or "").encode("utf-8", "surrogateescape")
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_token(request: Request) -> str:
    """The token of this request's browser, as the templates put it in forms (``{{ csrf_token }}``)."""
    return token_for(request.app.state.settings.secret_key, request.cookies.get(SESSION_COOKIE))


def _expired() -> Forbidden:
    return Forbidden(
        _(
            "This form has expired or was sent from somewhere else. Reload the page and try again;"
            " what you typed is kept in the page."
        )
    )


def _trusted_origin(request: Request, origin: str) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if not parts.scheme or not parts.netloc:  # "null" (sandboxed frames, some redirects) and anything malformed
        return False
    host = request.headers.get("host", "")
    if host and parts.netloc.lower() == host.lower():
        return True
    public = urlsplit(request.app.state.settings.public_url or "")
    return bool(public.netloc) and (parts.scheme, parts.netloc.lower()) == (public.scheme, public.netloc.lower())


async def csrf_protect(request: Request) -> None:
    """Refuse (403) an unsafe request sent from another site, or, when the browser does not say, without the
    session's token."""
    if request.method in SAFE_METHODS or request.url.path.startswith(EXEMPT_PREFIXES):
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site.strip().lower() in FETCH_SITE_ALLOWED:
            return
        raise _expired()
    origin = request.headers.get("origin")
    if origin is not None:
        if _trusted_origin(request, origin):
            return
        raise _expired()
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode("utf-8", "replace"), csrf_token(request).encode()):
        raise _expired()
