"""Gzip of the text the service sends (HTML, JSON, CSS, JS, SVG, CSV), by the service itself: a slow link (the
benchmark's 400 kbit/s) carries a page in a fifth of the bytes.

Only text is compressed (an allow-list): XLSX, DOCX, PDF, PNG and fonts are compressed already, and a type we do not
know is left alone. A streamed response (the exports) is compressed chunk by chunk with a sync flush, so each chunk
reaches the client as soon as the service sends it (the XLSX's first byte is not held back: it is not compressed at
all). Partial (206), empty (204, 304) and HEAD responses and bodies already encoded pass as they are; small bodies
(under ``minimum_size``) too. Every compressible response says ``Vary: Accept-Encoding``, compressed or not.
"""

from __future__ import annotations

import zlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESSIBLE_PREFIXES = ("text/",)
COMPRESSIBLE_TYPES = frozenset(
    {
        "application/json",
        "application/problem+json",
        "application/javascript",
        "application/xml",
        "application/manifest+json",
        "image/svg+xml",
    }
)


def is_compressible(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type.startswith(COMPRESSIBLE_PREFIXES) or media_type in COMPRESSIBLE_TYPES


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip``, ``x-gzip`` or ``*`` without ``q=0``)."""
    allowed: dict[str, bool] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding.strip():
            allowed[coding.strip()] = q > 0
    if "gzip" in allowed or "x-gzip" in allowed:
        return allowed.get("gzip", False) or allowed.get("x-gzip", False)
    return allowed.get("*", False)


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, minimum_size: int = 500, level: int = 6) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.level = level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gzip_ok = accepts_gzip(Headers(scope=scope).get("accept-encoding", ""))
        head = scope.get("method") == "HEAD"
        held: Message | None = None  # the response's start, held until the first body chunk decides
        compressor: zlib._Compress | None = None
        passing = False

        async def send_compressed(message: Message) -> None:
            nonlocal held, compressor, passing
            kind = message["type"]
            if kind == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                if (
                    head
                    or message["status"] in (204, 206, 304)
                    or "content-encoding" in headers
                    or not is_compressible(headers.get("content-type", ""))
                ):
                    passing = True
                    await send(message)
                    return
                message["headers"] = list(message.get("headers", []))
                MutableHeaders(raw=message["headers"]).add_vary_header("Accept-Encoding")
                held = message
                return
            if passing or kind != "http.response.body":
                if held is not None:  # trailers or pathsend before any body: send as they are
                    await send(held)
                    held = None
                    passing = True
                await send(message)
                return
            body = message.get("body", b"")
            more_body = message.get("more_body", False)
            if held is not None:
                start, held = held, None
                if not gzip_ok or (not more_body and len(body) < self.minimum_size):
                    passing = True
                    await send(start)
                    await send(message)
                    return
                compressor = zlib.compressobj(self.level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                headers = MutableHeaders(raw=start["headers"])
                headers["Content-Encoding"] = "gzip"
                etag = headers.get("etag")
                if etag and not etag.startswith("W/"):  # the bytes differ from the identity body's
                    headers["ETag"] = "W/" + etag
                data = compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH if more_body else zlib.Z_FINISH)
                if more_body:
                    if "content-length" in headers:
                        del headers["Content-Length"]
                else:
                    headers["Content-Length"] = str(len(data))
                await send(start)
                await send({**message, "body": data})
                return
            assert compressor is not None
            data = compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH if more_body else zlib.Z_FINISH)
            await send({**message, "body": data})

        await self.app(scope, receive, send_compressed)
