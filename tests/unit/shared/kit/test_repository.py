"""The repository: typed load and save, a compare-and-set per save, envelopes from the event registry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from tdkt_shared.auth import Forbidden
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.contract.reporting import CongressCancelled
from tdkt_shared.errors import InvalidTransition
from tdkt_shared.kit import CommandContext, Repository
from tdkt_shared.runtime import ServiceDefinition
from tdkt_shared.store import AlreadyExists, InMemoryAggregateStore, NotFound, Stored, VersionConflict
from tests.helpers import record_calls

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CTX = CommandContext(correlation_id="corr-1", now=NOW)


class Congress(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    status: str = "SCHEDULED"


def cancel(c: Congress) -> tuple[Congress, CongressCancelled]:
    return c.model_copy(update={"status": "CANCELLED"}), CongressCancelled(congress_id=c.id, reason="bão")


@pytest.fixture
def store() -> InMemoryAggregateStore:
    return InMemoryAggregateStore("congresses")


@pytest.fixture
def repo(store: InMemoryAggregateStore) -> Repository[Congress]:
    return Repository(store, Congress)


async def test_add_then_load_gives_the_typed_aggregate_and_its_version(repo: Repository[Congress]) -> None:
    await repo.add(Congress(id="dh-1"), (), CTX)
    loaded = await repo.load("dh-1")
    assert loaded.aggregate == Congress(id="dh-1")
    assert loaded.version == 1
    with pytest.raises(AlreadyExists):
        await repo.add(Congress(id="dh-1"), (), CTX)


async def test_load_refuses_a_missing_aggregate_and_a_stale_version(repo: Repository[Congress]) -> None:
    with pytest.raises(NotFound):
        await repo.load("nope")
    await repo.add(Congress(id="dh-1"), (), CTX)
    with pytest.raises(VersionConflict) as raised:
        await repo.load("dh-1", version=2)
    assert (raised.value.expected, raised.value.actual) == (2, 1)


async def test_change_writes_state_and_event_with_the_envelope_from_the_registry(
    repo: Repository[Congress], store: InMemoryAggregateStore
) -> None:
    await repo.add(Congress(id="dh-1"), (), CTX)
    saved = await repo.change("dh-1", 1, cancel, CTX)
    assert (saved.version, saved.aggregate.status) == (2, "CANCELLED")
    (event,) = store.outboxes["dh-1"]
    assert event.type == "tdkt.reporting.congress.cancelled.v1"
    assert event.partitionkey == "dh-1"
    assert event.subject == "congresses/dh-1"
    assert event.correlationid == "corr-1"
    assert event.source == "/tdkt/reporting"


async def test_a_save_on_a_version_that_moved_on_is_refused(repo: Repository[Congress]) -> None:
    await repo.add(Congress(id="dh-1"), (), CTX)
    first = await repo.load("dh-1")
    await repo.save(first, Congress(id="dh-1", status="HELD"), (), CTX)
    with pytest.raises(VersionConflict):
        await repo.save(first, Congress(id="dh-1", status="CANCELLED"), (), CTX)
    assert (await repo.load("dh-1")).aggregate.status == "HELD"


def test_the_partition_key_is_the_field_the_type_names(repo: Repository[Congress]) -> None:
    data = OrganizationsMerged(
        predecessor_ids=["bac-kan"], successor_id="thai-nguyen", effective_date=NOW.date(), legal_basis="NQ 202"
    )
    event = repo.envelope(data, "bac-kan", CTX)
    assert event.partitionkey == "thai-nguyen"
    assert event.subject == "congresses/bac-kan"


async def test_apply_once_applies_a_consumed_event_once_and_names_it_the_cause(
    repo: Repository[Congress], store: InMemoryAggregateStore
) -> None:
    consumed = make_event(CongressCancelled(congress_id="dh-1", reason="x"), partitionkey="dh-1", correlationid="c-9")

    def mark(current: Congress | None) -> tuple[Congress, CongressCancelled]:
        return cancel(current or Congress(id="dh-1"))

    assert await repo.apply_once("dh-1", consumed, mark) is True
    assert await repo.apply_once("dh-1", consumed, mark) is False
    assert (await repo.load("dh-1")).version == 1
    (event,) = store.outboxes["dh-1"]
    assert (event.correlationid, event.causationid) == ("c-9", consumed.id)


async def test_find_all_reads_every_match_in_batches(repo: Repository[Congress]) -> None:
    for i in range(7):
        await repo.add(Congress(id=f"dh-{i}", status="HELD" if i % 2 else "SCHEDULED"), (), CTX)
    held = await repo.find_all({"status": "HELD"}, batch=2)
    assert [h.id for h in held] == ["dh-1", "dh-3", "dh-5"]


def test_a_system_context_has_a_fresh_correlation_and_no_principal() -> None:
    a, b = CommandContext.system(), CommandContext.system()
    assert a.correlation_id != b.correlation_id
    assert a.principal is None
    assert a.organization_id is None


async def test_change_latest_retries_on_what_a_concurrent_write_left() -> None:
    class Contended(InMemoryAggregateStore):
        """Another writer moves the congress between the first load and its save."""

        raced = False

        async def update(
            self, aggregate_id: str, expected_version: int, state: dict[str, Any], events: Sequence[Any]
        ) -> Stored:
            if not self.raced:
                self.raced = True
                await super().update(aggregate_id, expected_version, {"id": aggregate_id, "status": "MOVED"}, [])
            return await super().update(aggregate_id, expected_version, state, events)

    repo = Repository(Contended("congresses"), Congress)
    await repo.add(Congress(id="dh-1"), (), CTX)
    seen: list[str] = []

    def hold(c: Congress) -> tuple[Congress, tuple[()]]:
        seen.append(c.status)
        return c.model_copy(update={"status": f"HELD after {c.status}"}), ()

    held = await repo.change_latest("dh-1", hold, CTX)
    assert seen == ["SCHEDULED", "MOVED"]
    assert held.status == "HELD after MOVED"
    assert (await repo.load("dh-1")).version == 3
    assert await repo.change_latest("dh-1", lambda _c: None, CTX) == held


async def test_a_subject_names_the_resource_as_the_api_does(store: InMemoryAggregateStore) -> None:
    named = Repository(store, Congress, subject="honour-congresses")
    await named.add(Congress(id="dh-1"), CongressCancelled(congress_id="dh-1", reason="x"), CTX)
    (event,) = store.outboxes["dh-1"]
    assert event.subject == "honour-congresses/dh-1"


async def test_expect_refuses_another_version(repo: Repository[Congress]) -> None:
    loaded = await repo.add(Congress(id="dh-1"), (), CTX)
    loaded.expect(1)
    with pytest.raises(VersionConflict):
        loaded.expect(3)


@pytest.mark.parametrize(
    ("skip", "limit", "ids", "total", "counted"),
    [
        (0, 10, ["dh-0", "dh-1", "dh-2", "dh-3", "dh-4"], 5, False),  # a short first page tells the total
        (3, 10, ["dh-3", "dh-4"], 5, False),  # so does a short page further on
        (0, 5, ["dh-0", "dh-1", "dh-2", "dh-3", "dh-4"], 5, True),  # a full page may have more after it
        (9, 5, [], 5, True),  # past the end: the total is not known from the page
    ],
)
async def test_a_page_counts_only_when_the_page_cannot_tell_the_total(
    repo: Repository[Congress],
    store: InMemoryAggregateStore,
    monkeypatch: pytest.MonkeyPatch,
    skip: int,
    limit: int,
    ids: list[str],
    total: int,
    counted: bool,
) -> None:
    for n in range(5):
        await repo.add(Congress(id=f"dh-{n}"), (), CTX)
    counts = record_calls(monkeypatch, store, "count")
    found, counted_total = await repo.page({"status": "SCHEDULED"}, skip=skip, limit=limit)
    assert [loaded.id for loaded in found] == ids
    assert counted_total == total
    assert counts == ([({"status": "SCHEDULED"},)] if counted else [])


async def test_change_known_writes_on_the_known_version_and_otherwise_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = InMemoryAggregateStore("congresses")
    repo = Repository(store, Congress)
    await repo.add(Congress(id="dh-1"), (), CTX)

    def hold(c: Congress) -> tuple[Congress, tuple[()]]:
        if c.status != "SCHEDULED":
            raise InvalidTransition(f"cannot hold a congress that is {c.status}", field="status")
        return c.model_copy(update={"status": "HELD"}), ()

    async def refuse(_c: Congress) -> None:
        raise Forbidden("not yours", field="organization_id")

    assert await repo.change_known("dh-1", 2, hold, CTX) is None  # a version nobody wrote
    assert await repo.change_known("dh-1", 1, hold, CTX, refuse) is None
    assert (await repo.load("dh-1")).version == 1  # refused: nothing written
    held = await repo.change_known("dh-1", 1, hold, CTX)
    assert held is not None
    assert (held.version, held.aggregate.status) == (2, "HELD")
    assert await repo.change_known("dh-1", 2, hold, CTX) is None  # the step refuses on HELD
    stale = Stored("dh-1", 2, {"id": "dh-1", "status": "SCHEDULED"})  # what another process saw before a write
    await store.update("dh-1", 2, {"id": "dh-1", "status": "CANCELLED"}, [])
    monkeypatch.setattr(store, "known", lambda _id, _version: stale)
    assert await repo.change_known("dh-1", 2, hold, CTX) is None  # the compare-and-set misses
    assert ((await repo.load("dh-1")).version, (await repo.load("dh-1")).aggregate.status) == (3, "CANCELLED")


def test_a_read_model_is_never_remembered() -> None:
    with pytest.raises(ValueError, match="read models"):
        ServiceDefinition(name="x", title="x", collections=("orgs",), read_models=("orgs",), remembered=("orgs",))
