"""Opt-in ``Server-Timing: db;desc="N queries"`` header (setting ``GCM_QUERY_COUNT_HEADER``), for benchmarks.

An engine listener counts the statements executed while a request is handled (a context variable holds the
request's counter; Starlette copies the context into the thread pool that runs sync handlers).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_counter: ContextVar[list[int] | None] = ContextVar("gcm_query_counter", default=None)


def _count(*_args: Any) -> None:
    counter = _counter.get()
    if counter is not None:
        counter[0] += 1


class QueryCountMiddleware:
    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        event.listen(engine, "before_cursor_execute", _count)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = _counter.set(counter)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f'db;desc="{counter[0]} queries"'.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            _counter.reset(token)
