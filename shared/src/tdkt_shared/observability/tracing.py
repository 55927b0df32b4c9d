"""OpenTelemetry tracing, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

One trace runs from an HTTP request through the outbox and Kafka into every consumer: an event written while a span
is current carries its W3C trace context in the CloudEvents distributed-tracing extension (`traceparent`,
`tracestate`), stored with the event in the outbox; a consumer continues that trace in a span of its own, and the
events it writes carry that span in turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()
tracer = trace.get_tracer("tdkt")
enabled = False
"""True once a tracer provider is set (by `configure_tracing`, or a test's `enable`)."""


def configure_tracing(service: str, endpoint: str | None) -> bool:
    """Export spans over OTLP/HTTP to `endpoint` (a collector); False, and nothing installed, without one."""
    if not endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"tdkt-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")))
    enable(provider)
    PymongoInstrumentor().instrument()
    AIOKafkaInstrumentor().instrument()  # spans of the sends and fetches; the trace itself rides in the envelope
    return True


def enable(provider: Any) -> None:
    """Use `provider` for every span of this process."""
    global enabled
    trace.set_tracer_provider(provider)
    enabled = True


def instrument_app(app: Any) -> None:
    """Server spans for the app's requests, when a tracer provider is set."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")


def trace_context() -> dict[str, str]:
    """The current span's `traceparent` (and `tracestate`), for an event's envelope; empty outside a span."""
    if not trace.get_current_span().get_span_context().is_valid:
        return {}
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier


@contextmanager
def consuming(event_type: str, event_id: str, carrier: dict[str, Any], group: str) -> Iterator[None]:
    """A consumer span continuing the trace the event carries (a new trace when it carries none); nothing when
    tracing is off."""
    if not enabled:
        yield
        return
    parent = _propagator.extract({k: v for k, v in carrier.items() if isinstance(v, str)})
    with tracer.start_as_current_span(
        f"consume {event_type}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.consumer.group.name": group,
            "cloudevents.event_id": event_id,
        },
    ):
        yield
