"""A service's definition wired from its own `store` and `consumers` modules, which every service lays out alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypedDict, Unpack

from fastapi import APIRouter
from pymongo import IndexModel

from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.runtime import ServiceDefinition, Stores


class StoreModule(Protocol):
    """A service's `store` module: its collections, those built only from other services' events, their indexes."""

    @property
    def COLLECTIONS(self) -> Sequence[str]: ...  # noqa: N802 (the module's constant)
    @property
    def READ_MODELS(self) -> Sequence[str]: ...  # noqa: N802
    @property
    def INDEXES(self) -> Mapping[str, Sequence[IndexModel]]: ...  # noqa: N802


class ConsumersModule(Protocol):
    """A service's `consumers` module: the topics it reads and its event type -> handler map."""

    @property
    def TOPICS(self) -> Sequence[str]: ...  # noqa: N802

    def event_handlers(self, stores: Stores, /) -> Mapping[str, EventHandler]: ...


class Options(TypedDict, total=False):
    """The rest of `ServiceDefinition`, as each service needs it."""

    handlers: Callable[[Stores], Mapping[str, EventHandler]]
    """Replaces `consumers.event_handlers` where the service builds its handlers over more than its stores."""
    cached: Sequence[str]
    buckets: Sequence[str]
    agendas: Sequence[str]
    remembered: Sequence[str]


def service_definition(
    name: str,
    title: str,
    store: StoreModule,
    consumers: ConsumersModule,
    routers: Sequence[APIRouter],
    **options: Unpack[Options],
) -> ServiceDefinition:
    """The definition of service `name`: collections, read models and indexes from `store`, topics and handlers from
    `consumers`."""
    wiring: Options = {"handlers": consumers.event_handlers, **options}
    return ServiceDefinition(
        name,
        title,
        store.COLLECTIONS,
        routers,
        consumers.TOPICS,
        read_models=store.READ_MODELS,
        indexes=store.INDEXES,
        **wiring,
    )
