from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date

import pytest
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError

from tdkt_shared.bus.codec import ConsumedRecord, encode
from tdkt_shared.bus.consumer import Dispatcher, Outcome
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.store.mongo import is_unavailable


@dataclass
class FakeDeadLetters:
    sent: list[tuple[ConsumedRecord, str, str, int, str]] = field(default_factory=list)

    async def send(self, record: ConsumedRecord, *, reason: str, error: str, attempts: int, group: str) -> None:
        self.sent.append((record, reason, error, attempts, group))


def registered(org_id: str = "so-noi-vu") -> CloudEvent:
    data = OrganizationRegistered(
        organization_id=org_id, name="Sở Nội vụ", kind=OrganizationKind.DEPARTMENT, valid_from=date(2008, 1, 1)
    )
    return make_event(data, partitionkey=org_id)


def record(value: bytes | None, offset: int = 0) -> ConsumedRecord:
    return ConsumedRecord("tdkt.registry.events", 0, offset, b"k", value, [("content-type", b"x")])


def as_record(event: CloudEvent, offset: int = 0) -> ConsumedRecord:
    return record(encode(event).value, offset)


@pytest.fixture
def dead() -> FakeDeadLetters:
    return FakeDeadLetters()


async def test_known_types_reach_their_handler_with_typed_data(dead: FakeDeadLetters) -> None:
    seen: list[tuple[str, OrganizationRegistered]] = []

    async def handle(event: CloudEvent, data: OrganizationRegistered) -> None:
        seen.append((event.id, data))

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="g", backoff_s=0)
    ev = registered()
    assert await dispatch(as_record(ev)) is Outcome.HANDLED
    assert seen == [(ev.id, OrganizationRegistered.model_validate(ev.data))]
    assert dead.sent == []


async def test_unknown_types_are_ignored(dead: FakeDeadLetters) -> None:
    dispatch = Dispatcher({}, dead, group="g")
    assert await dispatch(as_record(registered())) is Outcome.IGNORED
    assert dispatch.outcomes == {Outcome.IGNORED: 1}


@pytest.mark.parametrize("value", [b"not json", b'{"specversion": "1.0"}', None, b'{"a": [1, 2'])
async def test_unparseable_records_go_to_the_dlq_at_once(dead: FakeDeadLetters, value: bytes | None) -> None:
    calls = 0

    async def handle(_e: CloudEvent, _d: object) -> None:
        nonlocal calls
        calls += 1

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="grp", backoff_s=0)
    assert await dispatch(record(value, offset=7)) is Outcome.DEAD_LETTERED
    assert calls == 0
    [(rec, reason, _error, attempts, group)] = dead.sent
    assert (rec.offset, reason, attempts, group) == (7, "unparseable", 0, "grp")


async def test_invalid_data_of_a_known_type_goes_to_the_dlq(dead: FakeDeadLetters) -> None:
    bad = CloudEvent(
        source="/tdkt/registry", type=OrganizationRegistered.event_type, partitionkey="x", data={"name": ""}
    )

    async def handle(_e: CloudEvent, _d: object) -> None:
        raise AssertionError("must not be called")

    dispatch = Dispatcher({bad.type: handle}, dead, group="g", backoff_s=0)
    assert await dispatch(as_record(bad)) is Outcome.DEAD_LETTERED
    [(_rec, reason, error, _attempts, _group)] = dead.sent
    assert reason == "invalid-data"
    assert "organization_id" in error


async def test_a_failing_handler_is_retried_then_dead_lettered(dead: FakeDeadLetters) -> None:
    calls = 0

    async def handle(_e: CloudEvent, _d: object) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("store down")

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="g", max_attempts=4, backoff_s=0)
    assert await dispatch(as_record(registered())) is Outcome.DEAD_LETTERED
    assert calls == 4
    [(_rec, reason, error, attempts, _group)] = dead.sent
    assert (reason, attempts) == ("handler-failed", 4)
    assert error == "RuntimeError: store down"


async def test_a_handler_that_recovers_is_not_dead_lettered(dead: FakeDeadLetters) -> None:
    calls = 0

    async def handle(_e: CloudEvent, _d: object) -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RuntimeError("flaky")

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="g", max_attempts=3, backoff_s=0)
    assert await dispatch(as_record(registered())) is Outcome.HANDLED
    assert (calls, dead.sent) == (3, [])


async def test_the_dispatcher_waits_for_the_dlq_rather_than_losing_a_record() -> None:
    class FlakyDeadLetters(FakeDeadLetters):
        failures = 1

        async def send(self, record: ConsumedRecord, *, reason: str, error: str, attempts: int, group: str) -> None:
            if self.failures:
                self.failures -= 1
                raise ConnectionError("broker gone")
            await super().send(record, reason=reason, error=error, attempts=attempts, group=group)

    flaky = FlakyDeadLetters()
    dispatch = Dispatcher({}, flaky, group="g")
    assert await dispatch(record(b"junk")) is Outcome.DEAD_LETTERED
    assert len(flaky.sent) == 1


async def test_an_unreachable_store_is_retried_until_it_is_back_never_dead_lettered(dead: FakeDeadLetters) -> None:
    calls = 0

    async def handle(event: CloudEvent, data: OrganizationRegistered) -> None:
        nonlocal calls
        calls += 1
        if calls <= 7:
            raise ServerSelectionTimeoutError("127.0.0.1:27017: connection refused")

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="g", max_attempts=3, backoff_s=0)
    assert await dispatch(as_record(registered())) is Outcome.HANDLED
    assert (calls, dead.sent) == (8, [])


async def test_a_failing_handler_is_dead_lettered_after_its_attempts_even_after_an_outage(
    dead: FakeDeadLetters,
) -> None:
    failures: list[Exception] = [AutoReconnect("reset"), ValueError("bad"), AutoReconnect("reset")]
    failures += [ValueError("bad"), ValueError("bad"), ValueError("never reached")]

    async def handle(event: CloudEvent, data: OrganizationRegistered) -> None:
        raise failures.pop(0)

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="g", max_attempts=3, backoff_s=0)
    assert await dispatch(as_record(registered())) is Outcome.DEAD_LETTERED
    [(_, reason, error, attempts, _)] = dead.sent
    assert (reason, error, attempts, [str(f) for f in failures]) == (
        "handler-failed",
        "ValueError: bad",
        3,
        ["never reached"],
    )


async def test_a_batch_keeps_each_keys_order_and_handles_keys_at_once_up_to_the_limit(dead: FakeDeadLetters) -> None:
    running, peak = 0, 0
    seen: list[str] = []

    async def handle(event: CloudEvent, data: OrganizationRegistered) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01 if data.organization_id.endswith("-1") else 0)  # the first of each key is slow
        seen.append(data.organization_id)
        running -= 1

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="g", concurrency=3)
    records = [
        ConsumedRecord("t", 0, n, key.encode(), encode(registered(f"{key}-{i}")).value, [])
        for n, (key, i) in enumerate((k, i) for i in (1, 2, 3) for k in ("a", "b", "c", "d", "e"))
    ]
    outcomes = await dispatch.dispatch_batch(records)
    assert outcomes == [Outcome.HANDLED] * 15
    for key in "abcde":
        assert [s for s in seen if s.startswith(key)] == [f"{key}-1", f"{key}-2", f"{key}-3"]
    assert peak == 3
    assert seen[:3] != ["a-1", "a-2", "a-3"]  # keys were interleaved, not handled one after another


POSTGRES_DOWN = OperationFailure(
    "[collection.go:109 postgresql.(*collection).Query] failed to connect to `user=postgres database=ferretdb`: "
    "127.0.0.1:54329 (127.0.0.1): dial error: dial tcp 127.0.0.1:54329: connect: connection refused",
    code=1,
)


@pytest.mark.parametrize(
    ("failure", "unavailable"),
    [
        (ServerSelectionTimeoutError("127.0.0.1:27017: connection refused"), True),
        (POSTGRES_DOWN, True),  # FerretDB answers, its PostgreSQL does not
        (OperationFailure("terminating connection due to administrator command (SQLSTATE 57P01)", code=1), True),
        (OperationFailure("not primary", code=10107), True),
        (OperationFailure("interrupted at shutdown", code=11600), True),
        (OperationFailure("unknown operator: $foo", code=2), False),
        (OperationFailure("E11000 duplicate key", code=11000), False),
        (ValueError("connection refused"), False),
    ],
)
def test_what_counts_as_the_store_being_unavailable(failure: Exception, unavailable: bool) -> None:
    assert is_unavailable(failure) is unavailable


async def test_a_handler_is_retried_while_ferretdb_cannot_reach_postgresql(dead: FakeDeadLetters) -> None:
    calls = 0

    async def handle(event: CloudEvent, data: OrganizationRegistered) -> None:
        nonlocal calls
        calls += 1
        if calls <= 5:
            raise POSTGRES_DOWN

    dispatch = Dispatcher({OrganizationRegistered.event_type: handle}, dead, group="g", max_attempts=3, backoff_s=0)
    assert await dispatch(as_record(registered())) is Outcome.HANDLED
    assert (calls, dead.sent) == (6, [])
