"""File uploads: a body that is a file may reach the upload limit, a JSON body keeps the smaller one."""

from __future__ import annotations

import json

from starlette.types import Message, Receive, Scope, Send

from tdkt_shared.limits import BodyLimits


async def answer(limits: BodyLimits, body: bytes, content_type: bytes) -> tuple[int, bytes]:
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    limits.app = app
    await limits(scope, receive, send)
    return sent[0]["status"], sent[1]["body"]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(message["body"])).encode()})


async def test_a_file_may_be_larger_than_a_json_body_up_to_its_own_limit() -> None:
    limits = BodyLimits(app, max_bytes=1024, max_depth=4, max_upload_bytes=4096)
    pdf = b"%PDF-1.4\n" + b"[" * 3000  # brackets in a file are not JSON nesting
    assert await answer(limits, pdf, b"application/pdf") == (200, str(len(pdf)).encode())
    assert (await answer(limits, pdf, b"application/octet-stream"))[0] == 200
    status, body = await answer(limits, b"x" * 5000, b"application/pdf")
    assert (status, json.loads(body)["error"]) == (413, "body_too_large")
    status, body = await answer(limits, b'{"a": "' + b"x" * 2000 + b'"}', b"application/json")
    hint = "a file sent as application/octet-stream or its own type (PDF, PNG, JPEG, DOCX, XLSX) may have 4096"
    assert (status, json.loads(body)["detail"]) == (413, f"the body exceeds 1024 bytes ({hint})")
    status, body = await answer(limits, b"[" * 3000, b"text/plain")  # not a file type: the JSON limits apply
    assert (status, json.loads(body)["detail"]) == (413, f"the body exceeds 1024 bytes ({hint})")
