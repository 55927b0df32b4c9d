"""Logs, metrics and traces, each with a maintained library: structlog, prometheus-client and OpenTelemetry."""
