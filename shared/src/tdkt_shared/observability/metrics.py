"""Prometheus metrics (prometheus-client), served at `/metrics` by every service.

| series | labels | what |
|---|---|---|
| `tdkt_http_requests_total` | service, method, route, status | requests answered |
| `tdkt_http_request_duration_seconds` | service, method, route | time to answer |
| `tdkt_events_consumed_total` | group, type, outcome | events settled: handled, ignored, dead_lettered |
| `tdkt_consumer_lag` | group, topic, partition | records behind the partition's end, after each batch |
| `tdkt_dead_letters_total` | group, topic, reason | records sent to a dead-letter topic |
| `tdkt_relay_backlog` | service | aggregates with events waiting for the relay |
| `tdkt_relay_published_total` | service | events the relay published |
| `tdkt_relay_publish_latency_seconds` | service | from an event's `time` to the broker's acknowledgement |
| `tdkt_store_command_duration_seconds` | command, collection | MongoDB commands, timed by the driver |
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pymongo import monitoring

FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

HTTP_REQUESTS = Counter("tdkt_http_requests", "HTTP requests answered", ["service", "method", "route", "status"])
HTTP_DURATION = Histogram(
    "tdkt_http_request_duration_seconds", "Time to answer an HTTP request", ["service", "method", "route"], buckets=FAST
)
EVENTS_CONSUMED = Counter("tdkt_events_consumed", "Consumed events by outcome", ["group", "type", "outcome"])
CONSUMER_LAG = Gauge("tdkt_consumer_lag", "Records behind the end of the partition", ["group", "topic", "partition"])
DEAD_LETTERS = Counter("tdkt_dead_letters", "Records sent to a dead-letter topic", ["group", "topic", "reason"])
RELAY_BACKLOG = Gauge("tdkt_relay_backlog", "Aggregates with events waiting for the relay", ["service"])
RELAY_PUBLISHED = Counter("tdkt_relay_published", "Events the relay published", ["service"])
RELAY_LATENCY = Histogram(
    "tdkt_relay_publish_latency_seconds",
    "From an event's time to the broker's acknowledgement",
    ["service"],
    buckets=(*FAST, 10.0, 30.0, 60.0),
)
STORE_COMMANDS = Histogram(
    "tdkt_store_command_duration_seconds",
    "MongoDB commands as the driver timed them",
    ["command", "collection"],
    buckets=FAST,
)


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


class StoreCommandTimer(monitoring.CommandListener):
    """Times every MongoDB command through the driver's command monitoring (no code in the store itself)."""

    def __init__(self) -> None:
        self._collections: dict[tuple[int, Any], str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        self._collections[(event.request_id, event.connection_id)] = target if isinstance(target, str) else ""

    def _done(self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent) -> None:
        collection = self._collections.pop((event.request_id, event.connection_id), "")
        STORE_COMMANDS.labels(event.command_name, collection).observe(event.duration_micros / 1e6)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._done(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._done(event)


STORE_TIMER = StoreCommandTimer()
"""Passed to the MongoDB client as an event listener."""
