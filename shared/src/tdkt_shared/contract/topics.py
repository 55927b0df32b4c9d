"""Kafka topics: one per producing service, plus a dead-letter topic for each consumed topic."""

from __future__ import annotations

from typing import Final

SERVICES: Final = ("registry", "reporting", "awards", "notify")
DLQ_SUFFIX: Final = ".dlq"


def service_topic(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    return f"tdkt.{service}.events"


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def topic_for_type(event_type: str) -> str:
    """Every type `tdkt.<service>.…` is published on its service's topic."""
    parts = event_type.split(".")
    if len(parts) < 4 or parts[0] != "tdkt":
        raise ValueError(f"event type {event_type!r} does not follow tdkt.<service>.<entity>.<verb>.v<N>")
    return service_topic(parts[1])


ALL_TOPICS: Final = tuple(service_topic(s) for s in SERVICES)
ALL_DLQ_TOPICS: Final = tuple(dlq_topic(t) for t in ALL_TOPICS)
