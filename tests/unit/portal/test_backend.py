"""The portal's calls to the services: what reaches the pages when a service answers what it should not."""

from __future__ import annotations

import httpx
import pytest

from tdkt_portal.backend import SERVICES, Backend, BackendError


def backend_answering(answer: httpx.Response) -> Backend:
    transport = httpx.MockTransport(lambda _request: answer)
    return Backend({name: httpx.AsyncClient(transport=transport, base_url=f"http://{name}") for name in SERVICES})


async def test_a_2xx_answer_that_is_not_json_is_a_502_for_the_page() -> None:
    backend = backend_answering(httpx.Response(200, text="<html>Bảo trì hệ thống</html>"))
    with pytest.raises(BackendError) as caught:
        await backend.call("GET", "awards", "/awards")
    assert (caught.value.status, caught.value.detail) == (502, "dịch vụ awards trả lời không phải JSON")


async def test_json_and_empty_answers_pass_through() -> None:
    assert await backend_answering(httpx.Response(200, json={"items": []})).call("GET", "awards", "/x") == {"items": []}
    assert await backend_answering(httpx.Response(204)).call("POST", "notify", "/x") is None
