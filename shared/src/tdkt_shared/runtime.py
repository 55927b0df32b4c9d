"""Wiring of one service: store, relay, consumers and the FastAPI app, and the command that starts them.

A service describes itself with a `ServiceDefinition`; everything else is the same for all four.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Literal, Protocol

import uvicorn
from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)
from fastapi import APIRouter, FastAPI
from pymongo import IndexModel
from tenacity import AsyncRetrying, stop_after_delay, wait_exponential

from tdkt_shared.api import health_router, install_error_handlers, metrics_router
from tdkt_shared.auth import AuthConfigError, TokenVerifier
from tdkt_shared.bus.consumer import AiokafkaConsumer, ConsumerPort, Dispatcher, EventHandler, KafkaDeadLetters
from tdkt_shared.bus.faust_consumer import FaustConsumer
from tdkt_shared.bus.kafka import ensure_topics, make_producer, start_with_retry
from tdkt_shared.bus.relay import KafkaPublisher, OutboxRelay
from tdkt_shared.contract import ALL_DLQ_TOPICS, ALL_TOPICS, CloudEvent
from tdkt_shared.limits import BodyLimits
from tdkt_shared.observability import tracing
from tdkt_shared.observability.http import ObservedRequests
from tdkt_shared.observability.logs import configure_logging
from tdkt_shared.settings import Settings, load_settings
from tdkt_shared.store import AggregateStore, InMemoryAggregateStore, MongoAggregateStore, connect
from tdkt_shared.store.agenda import Agenda, InMemoryAgenda, MongoAgenda
from tdkt_shared.store.aggregates import Pending
from tdkt_shared.store.cached import CachedStore
from tdkt_shared.store.files import FileStore, GridFSFileStore, InMemoryFileStore
from tdkt_shared.store.mongo import ensure_indexes

log = logging.getLogger(__name__)
Role = Literal["api", "worker", "all", "relay"]
"""api: HTTP only; worker: relay and consumers; all: both; relay: the relay alone (for replays)."""

REMEMBERED_STATES = 20_000
"""Aggregates a `remembered` collection keeps in memory (a pickled report is about 600 bytes: some 12 MB)."""

PRODUCER_STATE_LOST = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    InvalidProducerIdMapping,
    InvalidProducerEpoch,
    ProducerFenced,
)
"""The broker no longer accepts this idempotent producer's id or sequence (e.g. after a broker restart lost its
producer state): every later send fails the same way, so only a new producer recovers."""


class Stores(Protocol):
    def store(self, collection: str) -> AggregateStore: ...

    def agenda(self, name: str) -> Agenda: ...

    def files(self, bucket: str) -> FileStore: ...


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    collections: Sequence[str]
    """Collections of aggregates (each document may carry an outbox)."""
    routers: Sequence[APIRouter] = ()
    consumes: Sequence[str] = ()
    """Topics this service reads."""
    handlers: Callable[[Stores], Mapping[str, EventHandler]] = field(default=lambda _stores: {})
    """Event type -> handler, built over this service's stores."""
    indexes: Mapping[str, Sequence[IndexModel]] = field(default_factory=dict)
    cached: Sequence[str] = ()
    """Reference collections read on almost every event or request and written rarely: their reads are served
    from memory until this process writes them, or for `READ_CACHE_TTL_MS` at most (see `tdkt_shared.store.cached`)."""
    read_models: Sequence[str] = ()
    """Collections built only from other services' events: `tdkt replay <service> --reset` drops and rebuilds them."""
    remembered: Sequence[str] = ()
    """Collections whose aggregates this process remembers (up to `REMEMBERED_STATES` each) at the version it last
    wrote or read, so that a command on that version writes without reading first (`Repository.change_known`).
    Only collections whose documents are never dropped and written again from version 1 under a running process:
    not a read model (`tdkt replay --reset` drops those)."""
    agendas: Sequence[str] = ()
    """Collections of open work items by due time (see `tdkt_shared.store.agenda`)."""
    buckets: Sequence[str] = ()
    """File buckets (GridFS; see `tdkt_shared.store.files`)."""

    def __post_init__(self) -> None:
        if reset := set(self.remembered) & set(self.read_models):
            raise ValueError(f"{self.name}: read models are dropped on a reset, never remembered: {sorted(reset)}")


def make_consumer(settings: Settings, topics: Sequence[str], dispatch: Dispatcher) -> ConsumerPort:
    """The consumer `BUS_CONSUMER` names, over the same dispatcher (docs/benchmarks.md compares the two)."""
    if settings.bus_consumer == "faust":
        return FaustConsumer(settings, topics, dispatch)
    return AiokafkaConsumer(settings, topics, dispatch)


class Runtime:
    """The real thing: MongoDB, the outbox relay and a consumer on Kafka."""

    def __init__(self, definition: ServiceDefinition, settings: Settings | None = None) -> None:
        self.definition = definition
        self.settings = settings or load_settings(definition.name)
        self.client = connect(self.settings.mongodb_url)
        self.db = self.client[self.settings.database]
        self.relay: OutboxRelay | None = None
        self.consumer: ConsumerPort | None = None
        self.dispatcher: Dispatcher | None = None
        self._producer: AIOKafkaProducer | None = None
        self._stores = {
            c: MongoAggregateStore(
                self.db, c, self._hint, remember=REMEMBERED_STATES if c in definition.remembered else 0
            )
            for c in definition.collections
        }
        ttl_s = self.settings.read_cache_ttl_ms / 1000
        self._cached: dict[str, AggregateStore] = {
            c: CachedStore(self._stores[c], ttl_s) for c in definition.cached if ttl_s > 0
        }
        self._agendas = {name: MongoAgenda(self.db[name]) for name in definition.agendas}
        self._files = {name: GridFSFileStore(self.db, name) for name in definition.buckets}

    def _hint(self, collection: str, aggregate_id: str, entry: Pending | None) -> bool:
        if self.relay is None:
            return False
        return self.relay.hint(collection, aggregate_id, entry)

    def store(self, collection: str) -> AggregateStore:
        return self._cached.get(collection) or self._stores[collection]

    def agenda(self, name: str) -> Agenda:
        return self._agendas[name]

    def files(self, bucket: str) -> FileStore:
        return self._files[bucket]

    async def _create_indexes(self) -> None:
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(60), wait=wait_exponential(multiplier=0.2, max=3), reraise=True
        ):
            with attempt:
                for store in self._stores.values():
                    await store.create_indexes()
                for agenda in self._agendas.values():
                    await agenda.create_indexes()
                for collection, indexes in self.definition.indexes.items():
                    await ensure_indexes(self.db[collection], indexes)

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("the runtime is not started")
        return self._producer

    async def renew_producer(self, reason: BaseException) -> None:
        """Replace the producer whose idempotent state the broker rejects; the caller retries its send."""
        log.warning("producer state lost (%s: %s); starting a new producer", type(reason).__name__, reason)
        old, self._producer = self._producer, make_producer(self.settings, "relay")
        await start_with_retry(self._producer)
        if old is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old.stop(), 10)

    async def start(self, role: Role = "all") -> None:
        self._producer = make_producer(self.settings, "relay")  # aiokafka binds to the running loop
        await self._create_indexes()
        await start_with_retry(self.producer)
        await ensure_topics(self.settings, [*ALL_TOPICS, *ALL_DLQ_TOPICS])
        if role == "api":
            return
        self.relay = OutboxRelay(
            list(self._stores.values()),
            RenewingPublisher(self),
            poll_interval_s=self.settings.relay_poll_interval_ms / 1000,
            batch_size=self.settings.relay_batch_size,
            name=self.definition.name,
        )
        self.relay.start()
        if role == "relay":
            return
        handlers = self.definition.handlers(self)
        if handlers and self.definition.consumes:
            self.dispatcher = Dispatcher(
                handlers,
                KafkaDeadLetters(CurrentProducer(self)),
                group=self.settings.group_id,
                max_attempts=self.settings.consumer_max_attempts,
                backoff_s=self.settings.consumer_retry_backoff_ms / 1000,
                concurrency=self.settings.consumer_concurrency,
            )
            self.consumer = make_consumer(self.settings, self.definition.consumes, self.dispatcher)
            await self.consumer.start()
        log.info("%s started (%s, consumer %s)", self.definition.name, role, self.settings.bus_consumer)

    async def stop(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        if self._producer is not None:
            await self._producer.stop()
        await self.client.close()

    async def readiness(self) -> dict[str, bool]:
        async def mongo() -> bool:
            await self.client.admin.command("ping")
            return True

        async def kafka() -> bool:
            await self.producer.client.fetch_all_metadata()
            return True

        checks: dict[str, bool] = {}
        for name, check in (("mongodb", mongo), ("kafka", kafka)):
            try:
                checks[name] = await asyncio.wait_for(check(), 2)
            except Exception:
                checks[name] = False
        return checks


class RenewingPublisher:
    """The relay's publisher over the runtime's current producer, renewed when the broker lost its state."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        try:
            await KafkaPublisher(self._runtime.producer).publish(events)
        except PRODUCER_STATE_LOST as exc:
            await self._runtime.renew_producer(exc)
            raise  # the relay retries the batch with the new producer; consumers absorb any repeat


class CurrentProducer:
    """`send_and_wait` on the runtime's current producer (for the dead-letter sink), renewed like the relay's."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def send_and_wait(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._runtime.producer.send_and_wait(*args, **kwargs)
        except PRODUCER_STATE_LOST as exc:
            await self._runtime.renew_producer(exc)
            raise


class InMemoryRuntime:
    """Stores in memory and no bus: for unit tests of the API and handlers."""

    def __init__(self, definition: ServiceDefinition) -> None:
        self.definition = definition
        self._stores = {c: InMemoryAggregateStore(c) for c in definition.collections}
        self._agendas = {name: InMemoryAgenda(name) for name in definition.agendas}
        self._files = {name: InMemoryFileStore(name) for name in definition.buckets}

    def store(self, collection: str) -> InMemoryAggregateStore:
        return self._stores[collection]

    def agenda(self, name: str) -> InMemoryAgenda:
        return self._agendas[name]

    def files(self, bucket: str) -> InMemoryFileStore:
        return self._files[bucket]

    def handlers(self) -> Mapping[str, EventHandler]:
        return self.definition.handlers(self)

    async def start(self, role: Role = "all") -> None:
        return None

    async def stop(self) -> None:
        return None

    async def readiness(self) -> dict[str, bool]:
        return {"memory": True}


AnyRuntime = Runtime | InMemoryRuntime


def create_app(definition: ServiceDefinition, runtime: AnyRuntime, role: Role = "all") -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start(role)
        try:
            yield
        finally:
            await runtime.stop()
            if (keys := app.state.token_verifier.keys) is not None:
                await keys.close()

    app = FastAPI(title=definition.title, version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier()  # AuthConfigError now, not at the first request, without a key
    app.add_middleware(ObservedRequests, service=definition.name)
    if tracing.enabled:
        tracing.instrument_app(app)
    limits = runtime.settings if isinstance(runtime, Runtime) else Settings()
    app.add_middleware(
        BodyLimits,
        max_bytes=limits.http_max_body_bytes,
        max_depth=limits.http_max_json_depth,
        max_upload_bytes=limits.http_max_upload_bytes,
    )
    install_error_handlers(app)
    app.include_router(health_router())
    app.include_router(metrics_router())
    if role != "worker":
        for router in definition.routers:
            app.include_router(router)
    return app


def definitions() -> dict[str, ServiceDefinition]:
    """The installed services, found through the `tdkt.services` entry points (shared imports no service)."""
    return {ep.name: ep.load() for ep in entry_points(group="tdkt.services")}


GC_THRESHOLD = (50_000, 20, 100)
"""Python's cyclic collector runs a young collection every 700 allocations by default: a request or an event makes
thousands of short-lived objects (pydantic models, dicts), almost none in cycles. See docs/benchmarks.md."""


def tune_gc() -> None:
    """Freeze what start-up made (imports, settings, the app: never garbage) and collect young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def main(
    definition: ServiceDefinition,
    argv: Sequence[str] | None = None,
    runtime: Callable[[ServiceDefinition, Settings], Runtime] = Runtime,
) -> None:
    """The `tdkt-<service>` command; `runtime` builds the service's runtime (notify adds its delivery worker)."""
    parser = argparse.ArgumentParser(prog=f"tdkt-{definition.name}", description=definition.title)
    parser.add_argument(
        "--role",
        choices=["all", "api", "worker"],
        default="all",
        help="api: HTTP only; worker: relay and consumers (with /healthz and /readyz); all: both",
    )
    args = parser.parse_args(argv)
    settings = load_settings(definition.name)
    configure_logging(definition.name, settings.log_level, settings.log_format)
    tracing.configure_tracing(definition.name, settings.otel_exporter_otlp_endpoint)
    try:
        app = create_app(definition, runtime(definition, settings), args.role)
    except AuthConfigError as exc:
        parser.exit(2, f"tdkt-{definition.name}: refusing to start: {exc}\n")
    tune_gc()
    # uvloop and httptools (C): the event loop and the HTTP parser that uvicorn otherwise runs in pure Python
    config: dict[str, Any] = {"host": settings.http_host, "port": settings.port, "log_config": None}
    uvicorn.run(app, loop="uvloop", http="httptools", **config)
