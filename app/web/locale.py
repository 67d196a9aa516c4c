"""The language of each request: ``?lang=`` (a deep link, remembered), the ``lang`` cookie, then ``Accept-Language``.

A signed-in user's preference (``user_account.language``) becomes the cookie at sign-in, and a choice made while
signed in becomes the preference (app.auth.dependencies), so the choice follows the user from browser to browser.
Responses say ``Vary: Accept-Language, Cookie`` so that no cache serves one language's page for another.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import DEFAULT_LOCALE, negotiate, normalise, set_locale

LANG_COOKIE = "gcm_lang"
LANG_COOKIE_MAX_AGE = 400 * 24 * 3600  # the most browsers keep a cookie


def lang_cookie_header(locale: str, *, secure: bool) -> bytes:
    flags = f"; Max-Age={LANG_COOKIE_MAX_AGE}; Path=/; SameSite=Lax" + ("; Secure" if secure else "")
    return f"{LANG_COOKIE}={locale}{flags}".encode("latin-1")


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar = SimpleCookie(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is the browser's problem, not a 500
                return None
            morsel = jar.get(LANG_COOKIE)
            return morsel.value if morsel else None
    return None


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


def _query_lang(scope: Scope) -> str | None:
    query = scope.get("query_string", b"")
    if b"lang=" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name == "lang":
            return normalise(value)
    return None


class LocaleMiddleware:
    """Sets the request's language (app.i18n) and ``scope["state"]["locale"]``; remembers a ``?lang=`` choice."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = _query_lang(scope)
        from_cookie = normalise(_cookie(scope))
        locale = chosen or from_cookie or negotiate(_header(scope, b"accept-language")) or DEFAULT_LOCALE
        set_locale(locale)
        state = scope.setdefault("state", {})
        state["locale"] = locale
        state["locale_chosen"] = chosen  # app.auth.dependencies makes it a signed-in user's preference
        secure = scope.get("scheme") == "https"

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if chosen is not None and chosen != from_cookie:
                    headers.append((b"set-cookie", lang_cookie_header(chosen, secure=secure)))
                vary = [i for i, (n, _v) in enumerate(headers) if n.lower() == b"vary"]
                if vary:
                    name, value = headers[vary[0]]
                    headers[vary[0]] = (name, value + b", Accept-Language, Cookie")
                else:
                    headers.append((b"vary", b"Accept-Language, Cookie"))
                headers.append((b"content-language", locale.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_language)
