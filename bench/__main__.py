"""`make bench` / `python -m bench [--quick]`: raw limits and the system on the local stack, in one run.

Progress lines go to stderr; every phase has a timeout (`--phase-timeout`) after which it reports what it finished
(marked PARTIAL) instead of hanging. The table goes to stdout and into docs/benchmarks.md between the
`bench:begin` / `bench:end` markers (the rest of that file is kept).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import aiokafka
import fastapi
import pydantic
import pymongo

from bench import eligibility
from bench.pipeline import Pipeline
from bench.progress import say, set_budget
from bench.raw import kafka_produce_consume, minimal_fastapi, mongo_single_document_writes
from bench.stats import Result
from tdkt_shared.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

QUICK = {
    "events": 2000,
    "writes": 300,
    "http": 1000,
    "reports": 60,
    "rates": [20.0],
    "organizations": 5,
    "nominees": 10000,
    "api_nominees": 1000,
    "phase_timeout": 20.0,
    "budget": 110.0,
}
FULL = {
    "events": 20000,
    "writes": 2000,
    "http": 5000,
    "reports": 1000,
    "rates": [200.0],
    "organizations": 50,
    "nominees": 100000,
    "api_nominees": 100000,
    "phase_timeout": 300.0,
    "budget": None,
}


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
        f"{cpu}, {len(os.sched_getaffinity(0))} cores, {int(mem) // 1024} MiB; "
        f"Python {platform.python_version()}, Kafka {kafka}, FerretDB 1.24.2 on PostgreSQL 15, "
        f"aiokafka {aiokafka.__version__}, "
        f"pymongo {pymongo.version}, FastAPI {fastapi.__version__}, pydantic {pydantic.VERSION}"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def ratio(value: float, limit: float, what: str) -> str:
    return f"{value / limit:.1%} of {what}" if limit and value == value else ""


def row(result: Result, vs: str = "", load_avg: str = "") -> str:
    lat = f"{result.p(50):.0f} / {result.p(95):.0f} / {result.p(99):.0f}" if result.latencies_ms else ""
    return f"| {result.name} | {result.count} | {result.rate:,.1f}/s | {lat} | {vs} | {load_avg} | {result.note} |"


def chain_limit(*rates: float) -> float:
    """One unit passing through every step in turn on the same cores: 1 / sum(1/rate)."""
    return 1 / sum(1 / r for r in rates if r)


async def system(
    args: argparse.Namespace, bootstrap: str, mongo: str, bus: str, http: Result, limit: float, lines: list[str]
) -> Result | None:
    api = None
    async with Pipeline(
        bootstrap, mongo, bus=bus, timeout_s=args.phase_timeout, organizations=args.organizations
    ) as pipeline:
        runs = [None, *args.rates]
        await pipeline.open_reports(0, args.reports * len(runs), args.concurrency)
        for n, rate in enumerate(runs):
            batch = pipeline.opened[n * args.reports : (n + 1) * args.reports]
            got = await pipeline.submit(batch, rate, args.concurrency)
            lines.append(row(got.api, ratio(got.api.rate, http.rate, "minimal FastAPI"), load()))
            lines.append(row(got.to_subscriber, ratio(got.to_subscriber.rate, limit, "raw chain"), load()))
            lines.append(row(got.to_notify, ratio(got.to_notify.rate, limit, "raw chain"), load()))
            lines.append(row(got.to_awards, "", load()))
            lines.append(f"| lag drain after the last accept ({bus}) | | {got.drain_s:.1f} s | | | | |")
            lines.append(f"| platform CPU per report, submissions and drain ({bus}) | | | | | | {got.cpu} |")
        reports_rss = pipeline.peak_rss()
        if args.api_nominees:
            api = await eligibility.through_api(pipeline.services["awards"].url, args.api_nominees, args.phase_timeout)
    peak = ", ".join(f"{name} {mb:.0f} MB" for name, mb in reports_rss.items())
    lines.append(f"| peak RSS per service over the reports ({bus} consumers) | | | | | | {peak} |")
    if args.api_nominees:
        awards = pipeline.rss["awards"]
        lines.append(f"| peak RSS of awards after the eligibility API phase | | | | | | {awards:.0f} MB |")
    return api


async def main(args: argparse.Namespace) -> tuple[str, float]:
    settings = load_settings("registry")
    bootstrap, mongo = settings.kafka_bootstrap_servers, settings.mongodb_url
    timeout = args.phase_timeout
    begun = time.perf_counter()
    set_budget(args.budget)
    lines = [
        "| measurement | n | throughput | latency p50 / p95 / p99 ms | vs raw limit | load 1/5 min | note |",
        "|---|---|---|---|---|---|---|",
    ]

    say(f"load average {load()}")
    produced, consumed = await kafka_produce_consume(bootstrap, args.events, timeout)
    lines.append(row(produced, load_avg=load()))
    lines.append(row(consumed, load_avg=load()))
    inserted, updated = await mongo_single_document_writes(mongo, args.writes, timeout)
    lines.append(row(inserted, load_avg=load()))
    lines.append(row(updated, load_avg=load()))
    http = await minimal_fastapi(args.http, timeout)
    lines.append(row(http, load_avg=load()))
    limit = chain_limit(produced.rate, consumed.rate, inserted.rate)
    lines.append(
        f"| raw chain: produce + consume + insert_one | | {limit:,.1f}/s | | 1/(1/p+1/c+1/w) | | "
        "one unit through each step in turn |"
    )

    api = None
    for bus in args.bus:
        try:
            api = await system(args, bootstrap, mongo, bus, http, limit, lines)
        except Exception as exc:  # a service that does not start must not hide the other figures
            say(f"pipeline ({bus}) failed: {exc!r}")
            lines.append(f"| pipeline ({bus}) | | | | | | FAILED: {exc} |")

    domain = await eligibility.domain(args.nominees, timeout)
    lines.append(row(domain, load_avg=load()))
    if api is not None:
        lines.append(row(api, ratio(api.rate, domain.rate, "domain module"), load()))
    return "\n".join(lines), time.perf_counter() - begun


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: finishes in under 2 minutes")
    parser.add_argument("--events", type=int, help="raw Kafka events")
    parser.add_argument("--writes", type=int, help="raw single-document writes")
    parser.add_argument("--http", type=int, help="requests to the minimal FastAPI app")
    parser.add_argument("--reports", type=int, help="report submissions per pipeline run")
    parser.add_argument(
        "--rates", type=float, nargs="*", help="offered submissions/s (open loop), after a run at full speed"
    )
    parser.add_argument("--organizations", type=int)
    parser.add_argument("--nominees", type=int, help="nominees judged by the domain module")
    parser.add_argument("--api-nominees", type=int, help="nominees judged through the awards API (0: skip)")
    parser.add_argument(
        "--phase-timeout", type=float, help="seconds; a phase that takes longer reports partial results"
    )
    parser.add_argument(
        "--budget", type=float, help="seconds for the whole run, later phases are cut short (0: no budget)"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--bus", nargs="+", default=["aiokafka"], choices=["aiokafka", "faust"])
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md", help="'-' to write nothing")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.budget = args.budget or None
    return args


def write(path: Path, argv: list[str], table: str, seconds: float) -> None:
    generated = "\n".join(
        [
            BEGIN,
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `{' '.join(['python -m bench', *argv])}`, "
            f"{seconds:.0f} s; load average (1/5 min) at the end {load()}.",
            "",
            f"Machine: {machine()}.",
            "",
            table,
            END,
        ]
    )
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + generated + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + generated + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    argv = sys.argv[1:]
    args = parse(argv)
    table, seconds = asyncio.run(main(args))
    print(table)
    say(f"finished in {seconds:.0f} s")
    if str(args.write) != "-":
        write(args.write, argv, table, seconds)
