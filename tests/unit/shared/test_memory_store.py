from __future__ import annotations

import pytest

from tdkt_shared.contract import CloudEvent
from tdkt_shared.store import AggregateStore, InMemoryAggregateStore
from tests.store_contract import OutboxContract


class TestInMemoryStore(OutboxContract):
    @pytest.fixture
    def store(self) -> InMemoryAggregateStore:
        return InMemoryAggregateStore("things")

    async def outbox(self, store: AggregateStore, aggregate_id: str) -> list[CloudEvent]:
        assert isinstance(store, InMemoryAggregateStore)
        return list(store.outboxes.get(aggregate_id, []))
