"""The command context of a request: principal, correlation id (echoed, generated when absent), clock."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from tdkt_shared.api import PageParams, install_error_handlers
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.kit import Repository
from tdkt_shared.kit.http import CORRELATION_HEADER, Context, page_of
from tdkt_shared.store import InMemoryAggregateStore
from tests.helpers import record_calls

FIXED = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def app() -> FastAPI:
    api = FastAPI()

    class Runtime:
        clock = staticmethod(lambda: FIXED)

    api.state.runtime = Runtime()
    install_error_handlers(api)

    @api.post("/echo")
    async def echo(ctx: Context) -> dict[str, str | None]:
        return {"correlation": ctx.correlation_id, "now": ctx.now.isoformat(), "org": ctx.organization_id}

    return api


async def call(headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t") as client:
        return await client.post("/echo", headers=headers)


async def test_the_client_correlation_id_is_kept_and_echoed() -> None:
    answer = await call({**dev_headers(Role.UNIT_OFFICER, organization_id="so-noi-vu"), CORRELATION_HEADER: "abc-1"})
    assert answer.status_code == 200
    assert answer.json() == {"correlation": "abc-1", "now": FIXED.isoformat(), "org": "so-noi-vu"}
    assert answer.headers[CORRELATION_HEADER] == "abc-1"


async def test_a_correlation_id_is_generated_when_the_client_sends_none() -> None:
    first, second = await call(dev_headers()), await call(dev_headers())
    assert first.json()["correlation"] == first.headers[CORRELATION_HEADER]
    assert len(first.json()["correlation"]) == 36
    assert first.json()["correlation"] != second.json()["correlation"]


async def test_a_write_needs_a_token_and_a_bounded_correlation_id() -> None:
    assert (await call({})).status_code == 401
    too_long = await call({**dev_headers(), CORRELATION_HEADER: "x" * 129})
    assert too_long.status_code == 422
    assert too_long.json()["field"] == CORRELATION_HEADER


class Note(BaseModel):
    id: str
    text: str


async def test_a_page_of_a_query_nothing_can_match_is_empty_and_asks_no_store(monkeypatch: pytest.MonkeyPatch) -> None:
    store = InMemoryAggregateStore("notes")
    notes = Repository(store, Note)
    await store.create("n-1", Note(id="n-1", text="a").model_dump(), [])
    everything = await page_of(notes, {}, PageParams(offset=0, limit=10), lambda loaded: loaded.aggregate.text)
    assert (everything.items, everything.total) == (["a"], 1)
    finds = record_calls(monkeypatch, store, "find")
    nothing = await page_of(notes, None, PageParams(offset=5, limit=10), lambda loaded: loaded.aggregate.text)
    assert (nothing.items, nothing.total, nothing.offset, nothing.limit) == ([], 0, 5, 10)
    assert finds == []
