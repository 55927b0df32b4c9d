"""One ASGI middleware for every request: the correlation id (the client's or a new one, echoed in the answer and
bound to the logs) and the HTTP metrics by route template."""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tdkt_shared.contract import new_event_id
from tdkt_shared.observability.logs import bound
from tdkt_shared.observability.metrics import HTTP_DURATION, HTTP_REQUESTS

CORRELATION_HEADER = "X-Correlation-Id"
_HEADER = CORRELATION_HEADER.lower().encode()
VALID_CORRELATION = re.compile(r"^[\x21-\x7e]{1,128}$")


def correlation_of(scope: Scope) -> str:
    """The request's correlation id (set by the middleware)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    value = state.get("correlation_id")
    return value if isinstance(value, str) else new_event_id()


class ObservedRequests:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v.decode("latin-1") for k, v in scope["headers"] if k == _HEADER), "")
        correlation = sent if VALID_CORRELATION.match(sent) else new_event_id()
        scope.setdefault("state", {})["correlation_id"] = correlation
        status = 500
        started = time.perf_counter()

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == _HEADER for k, _ in headers):
                    message["headers"] = [*headers, (_HEADER, correlation.encode())]
            await send(message)

        try:
            with bound(correlation_id=correlation):
                await self.app(scope, receive, send_with_header)
        finally:
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            HTTP_DURATION.labels(self.service, method, route).observe(time.perf_counter() - started)
