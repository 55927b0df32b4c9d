"""`tdkt`: the operator's command line (stack, live events, dead letters)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Annotated, TypeAlias

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from tdkt_shared.auth import signing_problem
from tdkt_shared.bus.codec import ConsumedRecord
from tdkt_shared.bus.consumer import Dispatcher, KafkaDeadLetters, Outcome
from tdkt_shared.bus.kafka import client_security, make_consumer, topic_partitions
from tdkt_shared.contract import ALL_DLQ_TOPICS, ALL_TOPICS, CloudEvent
from tdkt_shared.runtime import Runtime, definitions
from tdkt_shared.settings import Settings, load_settings

app = typer.Typer(help="Operate the TĐKT event platform.", no_args_is_help=True)
dlq = typer.Typer(help="Inspect and requeue dead letters.", no_args_is_help=True)
events = typer.Typer(help="Watch the event topics.", no_args_is_help=True)
app.add_typer(dlq, name="dlq")
app.add_typer(events, name="events")
console = Console()
errors = Console(stderr=True)
REQUEUE_GROUP = "tdkt-dlq-requeue"
Record: TypeAlias = ConsumerRecord  # [bytes, bytes]


def _settings() -> Settings:
    """The cluster the commands reach: the services' Kafka settings (bootstrap servers and security)."""
    return load_settings("registry")


@app.command()
def stack(action: Annotated[str, typer.Argument(help="up, down, status, logs or reset")]) -> None:
    """Drive the local Kafka + FerretDB stack (scripts/stack.sh)."""
    script = Path(__file__).resolve().parents[3] / "scripts" / "stack.sh"
    if not script.exists():
        raise typer.BadParameter("scripts/stack.sh is only in a source checkout")
    raise typer.Exit(subprocess.call([str(script), action]))


async def _records(
    topics: list[str], *, from_beginning: bool, group: str | None, timeout_s: float | None
) -> AsyncIterator[tuple[AIOKafkaConsumer, Record]]:
    consumer = make_consumer(_settings(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, topics)
        consumer.assign(partitions)
        if group is None:
            await (consumer.seek_to_beginning(*partitions) if from_beginning else consumer.seek_to_end(*partitions))
        else:
            for tp in partitions:
                offset = await consumer.committed(tp)
                if offset is None:
                    await consumer.seek_to_beginning(tp)
                else:
                    consumer.seek(tp, offset)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while deadline is None or time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    yield consumer, record
    finally:
        await consumer.stop()


def _headers(record: Record) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in record.headers}


@events.command("tail")
def tail(
    topic: Annotated[list[str] | None, typer.Option(help="topic(s); default: every service topic")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="only this event type (prefix match)")] = None,
    subject: Annotated[str | None, typer.Option(help="only this subject (prefix match)")] = None,
    from_beginning: Annotated[bool, typer.Option(help="start at the oldest record")] = False,
    max_events: Annotated[int | None, typer.Option("--max", help="stop after this many")] = None,
    timeout: Annotated[float | None, typer.Option(help="stop after this many seconds")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one CloudEvent JSON per line")] = False,
) -> None:
    """Pretty-print live CloudEvents."""

    async def run() -> None:
        shown = 0
        async for _consumer, record in _records(
            topic or list(ALL_TOPICS), from_beginning=from_beginning, group=None, timeout_s=timeout
        ):
            try:
                event = CloudEvent.model_validate_json(record.value or b"")
            except ValueError:
                errors.print(f"[red]{record.topic}@{record.offset}: not a CloudEvent[/red]")
                continue
            if type_ and not event.type.startswith(type_):
                continue
            if subject and not (event.subject or "").startswith(subject):
                continue
            if as_json:
                typer.echo(event.model_dump_json(exclude_none=True))
            else:
                console.print(
                    f"[dim]{event.time:%Y-%m-%d %H:%M:%S}[/dim] [bold]{event.type}[/bold] "
                    f"key={event.partitionkey} id={event.id}"
                )
                console.print_json(json.dumps(event.data, ensure_ascii=False))
            shown += 1
            if max_events is not None and shown >= max_events:
                return

    asyncio.run(run())


def _dead_letters(topic: list[str] | None, timeout_s: float) -> list[Record]:
    async def collect() -> list[Record]:
        return [
            r
            async for _c, r in _records(
                topic or list(ALL_DLQ_TOPICS), from_beginning=True, group=None, timeout_s=timeout_s
            )
        ]

    return asyncio.run(collect())


@app.command()
def replay(
    service: Annotated[str, typer.Argument(help="registry, reporting, awards or notify")],
    timeout: Annotated[float, typer.Option(help="seconds without new records before it stops")] = 5.0,
    reset: Annotated[
        bool, typer.Option("--reset", help="drop the service's read models first and rebuild them from a clean state")
    ] = False,
) -> None:
    """Rebuild a service's read models from the topics it consumes, from the beginning.

    Without --reset, safe at any time: handlers apply each event once, so records already applied change nothing.
    With --reset, the read models (the collections built only from other services' events) are dropped first, so a
    corrupted or outdated one is rebuilt from the events alone; readers see it fill up again meanwhile.
    """
    known = definitions()
    if service not in known:
        raise typer.BadParameter(f"unknown service {service!r}; installed: {', '.join(sorted(known))}")
    definition = known[service]
    if reset and not definition.read_models:
        raise typer.BadParameter(f"{service} keeps no read model to reset")

    async def run() -> Counter[Outcome]:
        runtime = Runtime(definition, load_settings(service))
        if reset:
            for collection in definition.read_models:
                await runtime.db.drop_collection(collection)
            errors.print(f"dropped {', '.join(definition.read_models)}")
        await runtime.start("relay")
        try:
            dispatch = Dispatcher(
                definition.handlers(runtime),
                KafkaDeadLetters(runtime.producer),
                group=f"{runtime.settings.group_id}-replay",
                max_attempts=runtime.settings.consumer_max_attempts,
            )
            consumer = make_consumer(runtime.settings, group_id=None, enable_auto_commit=False)
            await consumer.start()
            try:
                partitions = await topic_partitions(consumer, definition.consumes)
                consumer.assign(partitions)
                await consumer.seek_to_beginning(*partitions)
                start = await consumer.beginning_offsets(partitions)
                end = await consumer.end_offsets(partitions)
                total = sum(end[tp] - start[tp] for tp in partitions)
                with Progress(console=errors) as progress:
                    task = progress.add_task(f"replaying {service}", total=total)
                    done = 0
                    while done < total:
                        batches = await consumer.getmany(timeout_ms=int(timeout * 1000))
                        if not batches:
                            break
                        for records in batches.values():
                            for r in records:
                                if r.offset < end[TopicPartition(r.topic, r.partition)]:
                                    await dispatch(
                                        ConsumedRecord(r.topic, r.partition, r.offset, r.key, r.value, r.headers)
                                    )
                                    done += 1
                                    progress.advance(task)
            finally:
                await consumer.stop()
            return dispatch.outcomes
        finally:
            await runtime.stop()

    outcomes = asyncio.run(run())
    console.print(", ".join(f"{o.value}: {outcomes[o]}" for o in Outcome))


@dlq.command("list")
def list_dead_letters(
    topic: Annotated[list[str] | None, typer.Option(help="dead-letter topic(s); default: all")] = None,
    timeout: Annotated[float, typer.Option(help="seconds to read")] = 3.0,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """A table of every dead letter: where it came from and why."""
    table = Table("topic", "partition", "offset", "key", "reason", "group", "attempts", "error")
    for record in _dead_letters(topic, timeout):
        h = _headers(record)
        if as_json:
            key = (record.key or b"").decode(errors="replace")
            typer.echo(
                json.dumps(
                    {
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                        "key": key,
                        "headers": h,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        table.add_row(
            record.topic,
            str(record.partition),
            str(record.offset),
            (record.key or b"").decode(errors="replace"),
            h.get("dlq-reason", ""),
            h.get("dlq-consumer-group", ""),
            h.get("dlq-attempts", ""),
            h.get("dlq-error", "")[:80],
        )
    if not as_json:
        console.print(table)


@dlq.command("show")
def show(topic: str, partition: int, offset: int, timeout: float = 3.0) -> None:
    """One dead letter in full: headers and value."""
    for record in _dead_letters([topic], timeout):
        if (record.partition, record.offset) == (partition, offset):
            console.print_json(
                json.dumps(
                    {"key": (record.key or b"").decode(errors="replace"), "headers": _headers(record)},
                    ensure_ascii=False,
                )
            )
            value = (record.value or b"").decode(errors="replace")
            try:
                console.print_json(value)
            except json.JSONDecodeError:
                console.print(value)
            return
    raise typer.BadParameter(f"no dead letter at {topic}[{partition}]@{offset}")


async def _end_offsets(topics: list[str]) -> dict[TopicPartition, int]:
    consumer = make_consumer(_settings(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(await topic_partitions(consumer, topics))
        return ends
    finally:
        await consumer.stop()


@dlq.command("requeue")
def requeue(
    topic: Annotated[list[str] | None, typer.Option(help="dead-letter topic(s); default: all")] = None,
    consumer_group: Annotated[str | None, typer.Option(help="only letters dead-lettered by this group")] = None,
    timeout: Annotated[float, typer.Option(help="seconds to read")] = 3.0,
) -> None:
    """Send dead letters back to their original topic, once each.

    Progress is committed under the consumer group `tdkt-dlq-requeue`, so running it again requeues only newer
    letters. Every group of the original topic sees the record again; handlers are idempotent by event id.
    Only letters already there when the command starts are sent: a record that fails again while it runs is
    dead-lettered again and waits for the next run, instead of going round in a loop.
    """
    topics = topic or list(ALL_DLQ_TOPICS)

    async def run() -> int:
        ends = await _end_offsets(topics)
        settings = _settings()
        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            **client_security(settings),
        )
        await producer.start()
        sent = 0
        try:
            async for consumer, record in _records(topics, from_beginning=True, group=REQUEUE_GROUP, timeout_s=timeout):
                tp = TopicPartition(record.topic, record.partition)
                if record.offset >= ends.get(tp, 0):
                    continue  # arrived after the start (perhaps one this run requeued, failing again)
                h = _headers(record)
                if consumer_group is None or h.get("dlq-consumer-group") == consumer_group:
                    headers = [(k, v) for k, v in record.headers if not k.startswith("dlq-")]
                    headers.append(("dlq-requeued-from", f"{record.topic}/{record.partition}/{record.offset}".encode()))
                    await producer.send_and_wait(h["dlq-original-topic"], record.value, key=record.key, headers=headers)
                    sent += 1
                await consumer.commit({tp: record.offset + 1})
        finally:
            await producer.stop()
        return sent

    console.print(f"requeued {asyncio.run(run())} dead letter(s)")


DEFAULT_URLS = {
    "registry": "http://127.0.0.1:8001",
    "reporting": "http://127.0.0.1:8002",
    "awards": "http://127.0.0.1:8003",
    "notify": "http://127.0.0.1:8004",
}


@app.command()
def seed(
    only: Annotated[
        list[str] | None, typer.Argument(help="these services' seeds (and what they need); default: all")
    ] = None,
    url: Annotated[
        list[str] | None, typer.Option(help="a service's base URL, e.g. --url reporting=http://host:8002")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Load every installed seed (entry points `tdkt.seeds`) through the running services' APIs, in dependency
    order, each as the role the policy names. Idempotent: a second run creates nothing."""
    import httpx

    from tdkt_shared.seeding import SeedApi, SeedError, SeedReport, discover, in_dependency_order

    if (problem := signing_problem("seed")) is not None:
        errors.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    urls = dict(DEFAULT_URLS)
    for pair in url or []:
        name, _, base = pair.partition("=")
        if name not in urls or not base:
            raise typer.BadParameter(f"--url wants service=URL, got {pair!r}")
        urls[name] = base
    try:
        seeds = in_dependency_order(discover(), only)
    except SeedError as exc:
        raise typer.BadParameter(str(exc)) from None

    async def run() -> dict[str, SeedReport]:
        reports: dict[str, SeedReport] = {}
        with Progress(console=errors, transient=as_json) as progress:
            for one in seeds:
                task = progress.add_task(f"{one.service} as {one.role}", total=one.items)
                async with httpx.AsyncClient(base_url=urls[one.service], timeout=120) as client:  # batches are long
                    api = SeedApi(client, one.role, tick=partial(progress.advance, task))
                    reports[one.service] = await one.load(api)
                progress.update(task, completed=one.items)
        return reports

    try:
        reports = asyncio.run(run())
    except (SeedError, httpx.TransportError) as exc:
        errors.print(f"[red]seeding stopped: {exc or repr(exc)}; run it again to resume[/red]")
        raise typer.Exit(1) from None
    if as_json:
        summary = {name: {"created": r.created, "skipped": r.skipped} for name, r in reports.items()}
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    table = Table("service", "kind", "created", "already there", title="Seeded")
    for name, report in reports.items():
        for kind in sorted(set(report.created) | set(report.skipped)):
            table.add_row(name, kind, str(report.created.get(kind, 0)), str(report.skipped.get(kind, 0)))
    console.print(table)
