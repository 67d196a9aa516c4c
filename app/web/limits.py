"""A limit on the size of request bodies (uploads included): 413 with a clear page or JSON body.

The limit is ``GCM_MAX_UPLOAD_BYTES`` (settings.max_upload_bytes). A request that announces a larger
Content-Length is refused before its body is read; a streamed body (no Content-Length) is refused as soon as it
grows past the limit, so the server never holds more than the limit in memory.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import _, format_number


def too_large_message(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    if megabytes >= 1:
        size = _("%(size)s MB") % {"size": format_number(megabytes, digits=0)}
    else:  # a limit under a megabyte (tests)
        size = f"{format_number(max(limit // 1024, 1))} KB"
    return _("The file or form is too large: at most {size} can be sent at once.").format(size=size)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit))


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = 0
                if length > self.max_bytes:
                    await self._refuse(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from app.web.errors import _respond  # the error pages need the templates; imported late

        request = Request(scope, receive)
        response = _respond(request, 413, too_large_message(self.max_bytes), None, {"Connection": "close"})
        await response(scope, receive, send)
