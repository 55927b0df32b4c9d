"""One trace from an HTTP request through the outbox into a consumer, carried in the events' `traceparent`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from tdkt_shared.bus.codec import encode
from tdkt_shared.bus.consumer import Dispatcher, Outcome
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.reporting import CongressCancelled
from tdkt_shared.kit import CommandContext, Repository
from tdkt_shared.observability import tracing
from tdkt_shared.runtime import InMemoryRuntime, ServiceDefinition, create_app
from tdkt_shared.store import InMemoryAggregateStore
from tests.unit.shared.test_dispatcher import FakeDeadLetters, record

EXPORTER = InMemorySpanExporter()


@pytest.fixture
def traced() -> Iterator[InMemorySpanExporter]:
    """Tracing on for this test only (a process sets its tracer provider once)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        tracing.enable(provider)
    tracing.enabled = True
    EXPORTER.clear()
    yield EXPORTER
    tracing.enabled = False


class Congress(BaseModel):
    id: str


def trace_id(traceparent: str | None) -> str:
    assert traceparent is not None
    return traceparent.split("-")[1]


async def test_one_trace_runs_from_the_request_through_the_outbox_into_the_consumer(
    traced: InMemorySpanExporter,
) -> None:
    definition = ServiceDefinition(name="traced", title="t", collections=("congresses",))
    runtime = InMemoryRuntime(definition)
    store = runtime.store("congresses")
    router = APIRouter()

    @router.post("/congresses/{congress_id}/cancel")
    async def cancel(congress_id: str) -> dict[str, str]:
        repo = Repository(store, Congress)
        data = CongressCancelled(congress_id=congress_id, reason="bão")
        await repo.add(Congress(id=congress_id), data, CommandContext.system())
        return {"id": congress_id}

    app = create_app(ServiceDefinition(name="traced", title="t", collections=(), routers=[router]), runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.post("/congresses/dh-1/cancel")).status_code == 200
    (written,) = store.outboxes["dh-1"]
    request_span = next(s for s in traced.get_finished_spans() if s.kind is SpanKind.SERVER)
    assert trace_id(written.traceparent) == format(request_span.context.trace_id, "032x")

    downstream = InMemoryAggregateStore("reactions")

    async def react(event: CloudEvent, data: CongressCancelled) -> None:
        await Repository(downstream, Congress).add(Congress(id=data.congress_id), data, CommandContext.caused_by(event))

    dispatch = Dispatcher({CongressCancelled.event_type: react}, FakeDeadLetters(), group="g", backoff_s=0)
    assert await dispatch(record(encode(written).value)) is Outcome.HANDLED
    consumer_span = next(s for s in traced.get_finished_spans() if s.kind is SpanKind.CONSUMER)
    assert consumer_span.name == "consume tdkt.reporting.congress.cancelled.v1"
    assert consumer_span.context.trace_id == request_span.context.trace_id
    assert consumer_span.parent is not None
    (caused,) = downstream.outboxes["dh-1"]
    assert trace_id(caused.traceparent) == trace_id(written.traceparent)
    assert (caused.traceparent or "").split("-")[2] == format(consumer_span.context.span_id, "016x")


def test_without_tracing_events_carry_no_trace_context() -> None:
    assert tracing.trace_context() == {}
