"""Reject oversized, deeply nested and undecodable request bodies before any parsing or handler runs."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPENING = frozenset(b"[{")
_NOT_A_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")


def json_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """True if the JSON text nests arrays/objects deeper than `max_depth`.

    Strings are cut out and everything but brackets dropped in C (regex and `bytes.translate`), so only the
    brackets are walked in Python; invalid JSON is left for the parser to reject."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_A_BRACKET)
    if len(brackets) <= max_depth:
        return False
    depth = 0
    for char in brackets:
        if char in _OPENING:
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def _is_json(content_type: bytes | None) -> bool:
    """FastAPI reads a body as JSON without a content type, or with application/json or any +json type."""
    if content_type is None:
        return True
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type == b"application/json" or media_type.endswith(b"+json")


UPLOAD_TYPES = frozenset(
    {
        b"application/octet-stream",
        b"application/pdf",
        b"image/png",
        b"image/jpeg",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
"""Bodies that are a file: up to the upload limit, and never read as JSON."""
UPLOAD_TYPE_NAMES = "application/octet-stream or its own type (PDF, PNG, JPEG, DOCX, XLSX)"


def _is_upload(content_type: bytes | None) -> bool:
    return content_type is not None and content_type.split(b";", 1)[0].strip().lower() in UPLOAD_TYPES


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BodyLimits:
    """ASGI middleware: 413 above `max_bytes`, 422 above `max_depth` levels of JSON nesting or for a body that is
    not UTF-8 (RFC 8259 §8.1; FastAPI would answer an undocumented 400 for it). A file upload (`UPLOAD_TYPES`) may
    reach `max_upload_bytes` and is not checked as JSON."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int = 1 << 20, max_depth: int = 32, max_upload_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.max_upload_bytes = max(max_upload_bytes or max_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = _is_upload(headers.get(b"content-type"))
        limit = self.max_upload_bytes if upload else self.max_bytes
        too_large = f"the body exceeds {limit} bytes"
        if not upload and self.max_upload_bytes > limit:
            too_large += f" (a file sent as {UPLOAD_TYPE_NAMES} may have {self.max_upload_bytes})"
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reject(send, 413, "body_too_large", too_large)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _reject(send, 413, "body_too_large", too_large)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if not upload and json_depth_exceeds(body, self.max_depth):
            await _reject(send, 422, "body_too_deep", f"JSON nests deeper than {self.max_depth} levels")
            return
        if _is_json(dict(scope["headers"]).get(b"content-type")) and not _is_utf8(body):
            await _reject(send, 422, "body_not_utf8", "the body is not UTF-8 encoded JSON")
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _reject(send: Send, status: int, error: str, detail: str) -> None:
    payload: dict[str, Any] = {"error": error, "detail": detail, "field": None}
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
