"""JSON logs with the correlation and trace ids; Prometheus series for HTTP, consumers and dead letters."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter
from prometheus_client import REGISTRY

from tdkt_shared.bus.consumer import Dispatcher, Outcome
from tdkt_shared.observability.logs import bound, configure_logging
from tdkt_shared.runtime import InMemoryRuntime, ServiceDefinition, create_app
from tests.unit.shared.test_dispatcher import FakeDeadLetters, as_record, record, registered


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("reporting", "INFO", "json", stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_log_line_is_one_json_object_with_the_correlation_id(json_logs: io.StringIO) -> None:
    with bound(correlation_id="corr-42", event_id="ev-1"):
        logging.getLogger("tdkt_reporting.handlers").warning("report %s is overdue", "bc-7")
    logging.getLogger("tdkt_reporting.handlers").info("outside")
    first, second = (json.loads(line) for line in json_logs.getvalue().splitlines())
    assert first["service"] == "reporting"
    assert first["level"] == "warning"
    assert first["logger"] == "tdkt_reporting.handlers"
    assert first["event"] == "report bc-7 is overdue"
    assert (first["correlation_id"], first["event_id"]) == ("corr-42", "ev-1")
    assert first["timestamp"].endswith("Z")
    assert "correlation_id" not in second


def app_with_a_route() -> httpx.AsyncClient:
    router = APIRouter()

    @router.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    definition = ServiceDefinition(name="observed", title="t", collections=(), routers=[router])
    app = create_app(definition, InMemoryRuntime(definition))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_requests_are_counted_by_route_template_and_echo_a_correlation_id() -> None:
    labels = {"service": "observed", "method": "GET", "route": "/things/{thing_id}", "status": "200"}
    before = sample("tdkt_http_requests_total", **labels)
    async with app_with_a_route() as client:
        kept = await client.get("/things/a", headers={"X-Correlation-Id": "mine-1"})
        made = await client.get("/things/b")
        bad = await client.get("/things/c", headers={"X-Correlation-Id": "x" * 200})
        missing = await client.get("/nowhere")
        scraped = await client.get("/metrics")
    assert kept.headers["X-Correlation-Id"] == "mine-1"
    assert len(made.headers["X-Correlation-Id"]) == 36
    assert bad.headers["X-Correlation-Id"] != "x" * 200
    assert missing.status_code == 404
    assert sample("tdkt_http_requests_total", **labels) == before + 3
    assert sample("tdkt_http_requests_total", **{**labels, "route": "<unmatched>", "status": "404"}) >= 1
    assert scraped.headers["content-type"].startswith("text/plain")
    assert 'tdkt_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/things/{thing_id}"' in (
        scraped.text
    )


async def test_consumed_events_and_dead_letters_are_counted() -> None:
    async def handle(*_: object) -> None:
        return None

    dead = FakeDeadLetters()
    dispatch = Dispatcher({"tdkt.registry.organization.registered.v1": handle}, dead, group="g-metrics", backoff_s=0)
    handled = {"group": "g-metrics", "type": "tdkt.registry.organization.registered.v1", "outcome": "handled"}
    before = sample("tdkt_events_consumed_total", **handled)
    assert await dispatch(as_record(registered())) is Outcome.HANDLED
    assert await dispatch(record(b"not json")) is Outcome.DEAD_LETTERED
    assert sample("tdkt_events_consumed_total", **handled) == before + 1
    dead_labels = {"group": "g-metrics", "topic": "tdkt.registry.events", "reason": "unparseable"}
    assert sample("tdkt_dead_letters_total", **dead_labels) == 1
