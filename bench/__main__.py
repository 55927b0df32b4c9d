"""`make bench` / `python -m bench`: raw limits and the pipeline on the local stack; writes docs/benchmarks.md."""

from __future__ import annotations

import argparse
import asyncio
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiokafka
import fastapi
import pydantic
import pymongo

from bench.pipeline import run_pipeline
from bench.raw import kafka_produce_consume, minimal_fastapi, mongo_single_document_writes
from bench.stats import Result
from tdkt_shared.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    kafka = subprocess.run(
        ["sed", "-n", "s:.*<kafka.version>\\(.*\\)</kafka.version>.*:\\1:p", "stack/kafka/pom.xml"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    return (
        f"{platform.node()}: {cpu}, {len(__import__('os').sched_getaffinity(0))} cores, {int(mem) // 1024} MiB; "
        f"Python {platform.python_version()}, Kafka {kafka}, FerretDB 1.24.2, aiokafka {aiokafka.__version__}, "
        f"pymongo {pymongo.version}, FastAPI {fastapi.__version__}, pydantic {pydantic.VERSION}"
    )


def row(result: Result, limit: Result | None = None) -> str:
    ratio = f"{result.rate / limit.rate:.0%} of {limit.name}" if limit else ""
    lat = f"{result.p(50):.1f} / {result.p(95):.1f} / {result.p(99):.1f}" if result.latencies_ms else ""
    return f"| {result.name} | {result.count} | {result.rate:,.0f}/s | {lat} | {ratio} | {result.note} |"


async def main(args: argparse.Namespace) -> str:
    settings = load_settings("registry")
    produced, consumed = await kafka_produce_consume(settings.kafka_bootstrap_servers, args.events)
    inserted, updated = await mongo_single_document_writes(settings.mongodb_url, min(args.events, 20000))
    http = await minimal_fastapi(min(args.events, 10000))
    lines = [
        "| measurement | n | throughput | latency p50 / p95 / p99 ms | vs raw limit | note |",
        "|---|---|---|---|---|---|",
    ]
    lines += [row(r) for r in (produced, consumed, inserted, updated, http)]
    for rate in [None, *args.rates]:
        results = await run_pipeline(
            settings.kafka_bootstrap_servers, settings.mongodb_url, args.events, rate, args.concurrency
        )
        api, to_sub, effect, rss = results
        lines += [row(api, http), row(to_sub, produced), row(effect, inserted), f"| {rss} | | | | | |"]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--rates", type=float, nargs="*", default=[200.0], help="offered request rates (closed loop)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    table = asyncio.run(main(args))
    print(table)
    header = [
        "# Benchmarks",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{' '.join(['python -m bench', *sys.argv[1:]])}` "
        "(`make bench`) on the local stack.",
        "",
        f"Machine: {machine()}.",
        "",
        "The pipeline is organisation registration (registry API -> outbox -> relay -> Kafka -> reporting's "
        "consumer -> its read model) until report submissions flow through awards and notify.",
        "",
    ]
    args.write.write_text("\n".join([*header, table, ""]), encoding="utf-8")
