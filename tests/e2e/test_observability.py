"""Observability of real service processes: a real Prometheus scrapes their metrics, and one trace, exported over
OTLP, links the registry's request with reporting's consumer of the event it caused."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tdkt_shared.auth import Role, dev_headers
from tests.e2e.processes import services
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import eventually
from tests.unit.notify.local_servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("drop_databases")]
ROOT = Path(__file__).resolve().parents[2]


class Span(tuple[str, str, str, int]):
    """(service, trace id, name, kind) of an exported span."""


@contextlib.contextmanager
def otlp_receiver() -> Iterator[tuple[int, list[Span]]]:
    """A minimal OTLP/HTTP trace collector: it decodes what the services export and keeps the spans."""
    spans: list[Span] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = ExportTraceServiceRequest()
            request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
            for resource_spans in request.resource_spans:
                attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope in resource_spans.scope_spans:
                    spans.extend(
                        Span((attributes.get("service.name", ""), s.trace_id.hex(), s.name, s.kind))
                        for s in scope.spans
                    )
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port, spans
    finally:
        server.shutdown()


@contextlib.asynccontextmanager
async def prometheus(targets: dict[str, int], workdir: Path) -> AsyncIterator[str]:
    """Debian's Prometheus server scraping `targets` every second; yields its base URL."""
    binary = await asyncio.to_thread(
        subprocess.run,
        [str(ROOT / "scripts" / "ensure-prometheus.sh")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert binary.returncode == 0, binary.stderr
    config = workdir / "prometheus.yml"
    jobs = "".join(
        f"  - job_name: {name}\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
        for name, port in targets.items()
    )
    config.write_text(f"global: {{scrape_interval: 1s, scrape_timeout: 1s}}\nscrape_configs:\n{jobs}")
    port = free_port()
    with (workdir / "prometheus.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            binary.stdout.strip(),
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def series(client: httpx.AsyncClient, base: str, query: str) -> list[dict[str, Any]]:
    try:
        answer = await client.get(f"{base}/api/v1/query", params={"query": query})
    except httpx.TransportError:
        return []
    result: list[dict[str, Any]] = answer.json()["data"]["result"] if answer.status_code == 200 else []
    return result


@pytest.mark.timeout(600)
async def test_prometheus_scrapes_the_series_and_one_trace_links_request_and_consumer(
    make_settings: SettingsFactory, run_id: str, tmp_path: Path
) -> None:
    with otlp_receiver() as (otlp_port, spans):
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{otlp_port}", "OTEL_BSP_SCHEDULE_DELAY": "200"}
        async with (
            services(make_settings, env, tmp_path, names=("registry", "reporting")) as ports,
            prometheus(ports, tmp_path) as prom,
            httpx.AsyncClient(timeout=10) as client,
        ):
            organization = f"so-obs-{run_id}"
            created = await client.post(
                f"http://127.0.0.1:{ports['registry']}/organizations",
                json={"id": organization, "name": "Sở Quan sát", "kind": "DEPARTMENT", "valid_from": "2025-07-01"},
                headers={**dev_headers(Role.REGISTRY_ADMIN), "X-Correlation-Id": f"obs-{run_id}"},
            )
            assert created.status_code == 201, created.text
            assert created.headers["X-Correlation-Id"] == f"obs-{run_id}"

            async def reporting_knows() -> bool:
                answer = await client.get(f"http://127.0.0.1:{ports['reporting']}/organizations/{organization}")
                return answer.status_code == 200

            await eventually(reporting_knows, timeout_s=60, what="reporting learns the organisation")

            consumed = "consume tdkt.registry.organization.registered.v1"

            async def linked() -> bool:
                requests = {s[1] for s in spans if s[0] == "tdkt-registry" and s[2] == "POST /organizations"}
                return any(s[0] == "tdkt-reporting" and s[2] == consumed and s[1] in requests for s in spans)

            await eventually(linked, timeout_s=60, what="the consumer's span in the request's trace")

            expected = {
                'tdkt_http_requests_total{job="registry",route="/organizations",method="POST",status="201"}': 1,
                'tdkt_events_consumed_total{job="reporting",'
                'type="tdkt.registry.organization.registered.v1",outcome="handled"}': 1,
                'tdkt_relay_published_total{job="registry",service="registry"}': 1,
                'tdkt_relay_publish_latency_seconds_count{job="registry"}': 1,
                'tdkt_store_command_duration_seconds_count{job="registry",command="insert"}': 1,
                'tdkt_consumer_lag{job="reporting",topic="tdkt.registry.events"}': 0,
                'tdkt_relay_backlog{job="reporting"}': 0,
            }

            async def scraped() -> bool:
                for query, at_least in expected.items():
                    found = await series(client, prom, query)
                    if not found or max(float(s["value"][1]) for s in found) < at_least:
                        return False
                return True

            await eventually(scraped, timeout_s=60, what="every series in Prometheus")
            up = await series(client, prom, "up")
            assert {(s["metric"]["job"], s["value"][1]) for s in up} == {("registry", "1"), ("reporting", "1")}
