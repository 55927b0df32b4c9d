"""Store adapters: aggregates with an embedded outbox, behind a port with a MongoDB and an in-memory adapter."""

from tdkt_shared.store.aggregates import (
    AggregateStore,
    AlreadyExists,
    NotFound,
    OutboxListener,
    OutboxStore,
    Pending,
    Stored,
    VersionConflict,
)
from tdkt_shared.store.memory import InMemoryAggregateStore
from tdkt_shared.store.mongo import MongoAggregateStore, connect

__all__ = [
    "AggregateStore",
    "AlreadyExists",
    "InMemoryAggregateStore",
    "MongoAggregateStore",
    "NotFound",
    "OutboxListener",
    "OutboxStore",
    "Pending",
    "Stored",
    "VersionConflict",
    "connect",
]
