from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from tdkt_notify import worker as worker_module
from tdkt_notify.channels import SendError
from tdkt_notify.domain.deliveries import Delivery, DeliveryStatus, delivery_id
from tdkt_notify.domain.directory import Recipient
from tdkt_notify.handlers.deliveries import record_deliveries
from tdkt_notify.handlers.recipients import set_daily_digest
from tdkt_notify.repositories import NotifyRepositories
from tdkt_notify.settings import load_notify_settings
from tdkt_notify.store import NotifyStores
from tdkt_notify.worker import DeliveryWorker
from tdkt_shared.bus.codec import ConsumedRecord
from tdkt_shared.contract import CloudEvent, parse_data
from tdkt_shared.contract.notify import Channel, NotificationDelivered, NotificationFailed
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import InMemoryRuntime
from tests.clock import ManualClock
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed

FAST = {"delivery_backoff_initial_s": 0, "delivery_backoff_max_s": 0, "delivery_backoff_jitter_s": 0}


class FakeSender:
    """Fails the first `failures` sends to an address (all of them with -1), blocks while `hold` is unset."""

    def __init__(
        self, failures: int = 0, hold: asyncio.Event | None = None, expect: int = 0, called: asyncio.Event | None = None
    ) -> None:
        self.failures = failures
        self.hold = hold
        self.called = called or asyncio.Event()
        """Set when a send begins."""
        self.expect = expect
        self.all_sent = asyncio.Event()
        """Set once `expect` sends succeeded."""
        self.sent: list[tuple[str, str | None]] = []
        self.messages: list[Delivery] = []
        self.tries = 0

    async def send(self, delivery: Delivery, recipient: Recipient | None) -> None:
        self.tries += 1
        self.called.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.failures < 0 or self.tries <= self.failures:
            raise SendError("HTTP 503")
        self.sent.append((delivery.recipient_id, delivery.address))
        self.messages.append(delivery)
        if len(self.sent) >= self.expect:
            self.all_sent.set()


async def directory(feed: Feed) -> None:
    await feed(
        events.organization("so-y-te", "Sở Y tế"),
        events.organization("so-noi-vu", "Sở Nội vụ"),
        events.contact("so-y-te", email="vanthu@soyte.example", webhook_url="http://127.0.0.1:1/so-y-te"),
        events.contact("so-noi-vu", email="tdkt@snv.example"),
        events.role("a1", FunctionalRole.TDKT_STATE_MANAGEMENT, "so-noi-vu", date(2020, 1, 1)),
    )


async def all_deliveries(stores: NotifyStores) -> list[Delivery]:
    return [Delivery.model_validate(s.state) for s in await stores.deliveries.find({}, limit=1000)]


def count_finds(stores: NotifyStores, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the queries over all deliveries (the one-element list is the count, updated in place)."""
    count = [0]
    find = stores.deliveries.find

    async def counting_find(*args: object, **kwargs: object) -> object:
        count[0] += 1
        return await find(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stores.deliveries, "find", counting_find)
    return count


async def record(stores: NotifyStores, event: CloudEvent, *, now: datetime) -> list[Delivery]:
    """Record the event's deliveries as the consumer would, at `now`."""
    return await record_deliveries(NotifyRepositories.of(stores), event, CommandContext.caused_by(event, now=now))


def outcome_events(runtime: InMemoryRuntime) -> list[object]:
    return [parse_data(e) for e in runtime.store("deliveries").events]


async def test_a_redelivered_event_records_no_second_delivery(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    report = events.report_submitted("so-y-te", events.at(2025, 12, 1))
    await feed(report)
    first = await all_deliveries(stores)
    await feed(report, report)
    assert sorted((d.recipient_id, d.channel.value) for d in await all_deliveries(stores)) == [
        ("so-noi-vu", "EMAIL"),
        ("so-noi-vu", "INBOX"),
        ("so-y-te", "EMAIL"),
        ("so-y-te", "INBOX"),
        ("so-y-te", "WEBHOOK"),
    ]
    assert {d.id: d.status for d in first} == {d.id: d.status for d in await all_deliveries(stores)}
    assert {d.id for d in first} == {delivery_id(report.id, d.recipient_id, d.channel) for d in first}


async def test_inbox_messages_are_delivered_when_recorded_and_in_vietnamese(
    feed: Feed, stores: NotifyStores, runtime: InMemoryRuntime
) -> None:
    await directory(feed)
    report = events.report_submitted("so-y-te", events.at(2025, 12, 1))
    await feed(report)
    inbox = [d for d in await all_deliveries(stores) if d.channel == Channel.INBOX and d.recipient_id == "so-y-te"]
    assert len(inbox) == 1
    assert inbox[0].status == DeliveryStatus.DELIVERED
    assert inbox[0].subject == "Báo cáo kỳ 2025 đã được nộp"
    assert inbox[0].body is not None
    assert inbox[0].body.startswith("Kính gửi Sở Y tế,")
    assert "hạn nộp ngày 15/12/2025" in inbox[0].body
    delivered = [e for e in outcome_events(runtime) if isinstance(e, NotificationDelivered)]
    assert {(e.recipient_id, e.channel) for e in delivered} == {("so-y-te", "INBOX"), ("so-noi-vu", "INBOX")}


def worker(stores: NotifyStores, email: FakeSender, webhook: FakeSender, **settings: object) -> DeliveryWorker:
    values = {**FAST, "delivery_max_attempts": 3, **settings}
    senders = {Channel.EMAIL: email, Channel.WEBHOOK: webhook}
    return DeliveryWorker(stores, senders, load_notify_settings(**values))


async def test_the_worker_sends_each_delivery_once(feed: Feed, stores: NotifyStores, runtime: InMemoryRuntime) -> None:
    await directory(feed)
    email, webhook = FakeSender(), FakeSender()
    w = worker(stores, email, webhook)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    assert await w.run_once() == 3
    await w.drain()
    assert await w.run_once() == 0
    assert sorted(email.sent) == [("so-noi-vu", "tdkt@snv.example"), ("so-y-te", "vanthu@soyte.example")]
    assert webhook.sent == [("so-y-te", "http://127.0.0.1:1/so-y-te")]
    assert {d.status for d in await all_deliveries(stores)} == {DeliveryStatus.DELIVERED}
    delivered = [e for e in outcome_events(runtime) if isinstance(e, NotificationDelivered)]
    assert sorted(e.channel.value for e in delivered) == ["EMAIL", "EMAIL", "INBOX", "INBOX", "WEBHOOK"]


async def test_deliveries_handed_over_on_recording_are_sent_without_reading_every_delivery(
    feed: Feed, stores: NotifyStores, monkeypatch: pytest.MonkeyPatch
) -> None:
    await directory(feed)
    sweeps = count_finds(stores, monkeypatch)
    email, webhook = FakeSender(expect=2), FakeSender(expect=1)
    w = worker(stores, email, webhook, delivery_poll_interval_ms=600_000)
    w.start()
    try:
        report = events.report_submitted("so-y-te", events.at(2025, 12, 1))
        recorded = await record(stores, report, now=events.at(2025, 12, 1))
        w.wake(recorded)
        async with asyncio.timeout(10):
            await email.all_sent.wait()
            await webhook.all_sent.wait()
            await w.drain()
    finally:
        await w.stop()
    assert sweeps == [1]  # the one at start, before anything was recorded
    assert sorted(email.sent) == [("so-noi-vu", "tdkt@snv.example"), ("so-y-te", "vanthu@soyte.example")]
    assert {d.status for d in await all_deliveries(stores)} == {DeliveryStatus.DELIVERED}


async def test_open_deliveries_are_on_the_agenda_until_they_are_final(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    w = worker(stores, FakeSender(), FakeSender(failures=-1))
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    pending = {d.id for d in await all_deliveries(stores) if not d.final}
    assert len(pending) == 3  # two e-mails and a webhook; the inbox ones are born delivered
    assert {i for i, _ in await stores.open.due(datetime.now(UTC), 100)} == pending
    assert await w.run_once() == 3
    await w.drain()
    statuses = sorted(d.status.value for d in await all_deliveries(stores) if d.id in pending)
    assert statuses == ["DELIVERED", "DELIVERED", "FAILED"]
    assert await stores.open.size() == 0


async def test_the_sweep_reads_the_agenda_and_a_start_adopts_open_deliveries_missing_from_it(
    feed: Feed, stores: NotifyStores, monkeypatch: pytest.MonkeyPatch
) -> None:
    await directory(feed)
    email = FakeSender()
    w = worker(stores, email, FakeSender())
    assert await w.run_once() == 0  # the first sweep after a start reads every delivery: none yet
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    pending = [d.id for d in await all_deliveries(stores) if not d.final]
    for delivery in pending:  # as if written before the agenda existed
        await stores.open.done(delivery)
    finds = count_finds(stores, monkeypatch)
    assert await w.run_once() == 0
    assert finds == [0]
    restarted = worker(stores, email, FakeSender())
    assert await restarted.run_once() == 3
    await restarted.drain()
    assert finds == [1]
    assert len(email.sent) == 2
    assert await stores.open.size() == 0


async def test_the_sweep_drops_entries_of_final_deliveries_and_of_ones_never_written(
    feed: Feed, stores: NotifyStores
) -> None:
    await directory(feed)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    [inbox] = [d for d in await all_deliveries(stores) if d.channel == Channel.INBOX and d.recipient_id == "so-y-te"]
    clock = ManualClock(datetime.now(UTC))
    w = DeliveryWorker(stores, {}, load_notify_settings(**FAST, delivery_lease_s=300), clock=clock)
    assert await w.run_once() == 3  # no senders: they fail, and are closed
    await w.drain()
    assert await stores.open.size() == 0
    await stores.open.schedule(inbox.id, clock.now)  # its worker stopped before closing it
    await stores.open.schedule("never-written", clock.now)  # its create failed, or is in flight
    assert await w.run_once() == 0
    assert await stores.open.due(clock.now, 100) == [("never-written", clock.now)]
    clock.now += timedelta(seconds=301)
    assert await w.run_once() == 0
    assert await stores.open.size() == 0


async def test_a_redelivered_event_leaves_the_agenda_as_its_deliveries_are(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    await set_daily_digest(NotifyRepositories.of(stores).recipients, "so-y-te", True, CommandContext.system())
    report = events.report_submitted("so-y-te", datetime(2025, 12, 1, 0, tzinfo=UTC))  # 07:00 in Vietnam
    recorded = await record(stores, report, now=report.time)
    [digest] = [d for d in recorded if d.digest]
    assert digest.not_before == datetime(2025, 12, 1, 1, tzinfo=UTC)
    w = worker(stores, FakeSender(), FakeSender())
    w.wake([d for d in recorded if not d.digest])
    w.run_hinted()
    await w.drain()
    # redelivered after 08:00, when a new digest would wait for the next day: the one recorded keeps its time
    await record(stores, report, now=datetime(2025, 12, 1, 1, 0, 30, tzinfo=UTC))
    assert await stores.open.due(datetime(2025, 12, 1, 1, 1, tzinfo=UTC), 100) == [(digest.id, digest.not_before)]


async def test_a_claimed_delivery_leaves_the_sweeps_window_until_its_lease_ends(
    feed: Feed, stores: NotifyStores, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "SWEEP_PAGE", 1)
    await directory(feed)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    hold, called = asyncio.Event(), asyncio.Event()
    email, webhook = FakeSender(hold=hold, called=called), FakeSender(hold=hold, called=called)
    w = worker(stores, email, webhook)
    assert await w.run_once() == 1
    async with asyncio.timeout(5):
        await called.wait()  # claimed, so its entry moved to its lease's end, and now held in the send
    assert len(await stores.open.due(datetime.now(UTC), 10)) == 2
    assert await w.run_once() == 1
    hold.set()
    await w.drain()
    assert await w.run_once() == 1
    await w.drain()
    assert len(email.sent) + len(webhook.sent) == 3
    assert await stores.open.size() == 0


async def test_a_start_adopts_open_deliveries_over_several_pages(
    feed: Feed, stores: NotifyStores, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "SWEEP_PAGE", 2)
    await directory(feed)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    for delivery in await all_deliveries(stores):
        await stores.open.done(delivery.id)
    email, webhook = FakeSender(), FakeSender()
    w = worker(stores, email, webhook)
    assert await w.run_once() == 2  # one page of the agenda
    await w.drain()
    assert await w.run_once() == 1
    await w.drain()
    assert len(email.sent) + len(webhook.sent) == 3
    assert await stores.open.size() == 0


async def test_inbox_deliveries_are_born_delivered_and_never_started(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    w = worker(stores, FakeSender(), FakeSender(), delivery_poll_interval_ms=600_000)
    report = events.report_submitted("so-y-te", events.at(2025, 12, 1))
    recorded = await record(stores, report, now=events.at(2025, 12, 1))
    inbox = [d for d in recorded if d.channel == Channel.INBOX]
    assert len(inbox) == 2
    assert {d.status for d in inbox} == {DeliveryStatus.DELIVERED}
    w.wake(inbox)
    assert w.run_hinted() == 0  # nothing to claim: no task, no read
    w.wake(recorded)
    assert w.run_hinted() == len(recorded) - len(inbox)
    await w.drain()


async def test_retries_then_delivered_with_every_attempt_logged(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    webhook = FakeSender(failures=2)
    w = worker(stores, FakeSender(), webhook)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    await w.run_once()
    await w.drain()
    hook = next(d for d in await all_deliveries(stores) if d.channel == Channel.WEBHOOK)
    assert hook.status == DeliveryStatus.DELIVERED
    assert [(a.number, a.ok, a.error) for a in hook.attempts] == [
        (1, False, "SendError: HTTP 503"),
        (2, False, "SendError: HTTP 503"),
        (3, True, None),
    ]


async def test_after_the_last_attempt_the_delivery_fails_and_says_so(
    feed: Feed, stores: NotifyStores, runtime: InMemoryRuntime
) -> None:
    await directory(feed)
    webhook = FakeSender(failures=-1)
    w = worker(stores, FakeSender(), webhook)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    await w.run_once()
    await w.drain()
    hook = next(d for d in await all_deliveries(stores) if d.channel == Channel.WEBHOOK)
    assert hook.status == DeliveryStatus.FAILED
    assert len(hook.attempts) == 3
    assert webhook.tries == 3
    failed = [e for e in outcome_events(runtime) if isinstance(e, NotificationFailed)]
    assert [(e.notification_id, e.attempts, e.error) for e in failed] == [(hook.id, 3, "SendError: HTTP 503")]
    assert await w.run_once() == 0


async def test_a_failed_delivery_sends_its_source_event_to_the_dead_letter_topic(
    feed: Feed, stores: NotifyStores
) -> None:
    await directory(feed)
    letters: list[tuple[str, dict[str, bytes], str, str, int]] = []

    class Sink:
        async def send(self, record: ConsumedRecord, *, reason: str, error: str, attempts: int, group: str) -> None:
            letters.append((record.topic, dict(record.headers), reason, error, attempts))

    w = worker(stores, FakeSender(), FakeSender(failures=-1))
    w.dead_letters = Sink()
    source = events.report_submitted("so-y-te", events.at(2025, 12, 1))
    await feed(source)
    await w.run_once()
    await w.drain()
    hook = next(d for d in await all_deliveries(stores) if d.channel == Channel.WEBHOOK)
    [(topic, headers, reason, error, attempts)] = letters
    assert (topic, reason, attempts) == ("tdkt.reporting.events", "delivery-failed", 3)
    assert headers["notify-delivery-id"] == hook.id.encode()
    assert (headers["notify-recipient"], headers["notify-channel"]) == (b"so-y-te", b"WEBHOOK")
    assert error == "WEBHOOK delivery to so-y-te failed: SendError: HTTP 503"


async def test_a_send_that_hangs_times_out_and_counts_as_an_attempt(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    never = asyncio.Event()
    w = worker(stores, FakeSender(), FakeSender(hold=never), delivery_attempt_timeout_s=0.05, delivery_max_attempts=2)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    await w.run_once()
    await w.drain()
    hook = next(d for d in await all_deliveries(stores) if d.channel == Channel.WEBHOOK)
    assert hook.status == DeliveryStatus.FAILED
    assert [a.error for a in hook.attempts] == ["timed out after 0.05s", "timed out after 0.05s"]


async def test_a_stuck_endpoint_does_not_hold_up_other_deliveries(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    release = asyncio.Event()
    email, webhook = FakeSender(expect=2), FakeSender(hold=release)
    w = worker(stores, email, webhook)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    await w.run_once()
    await email.all_sent.wait()
    hook = next(d for d in await all_deliveries(stores) if d.channel == Channel.WEBHOOK)
    assert hook.status == DeliveryStatus.SENDING
    assert webhook.sent == []
    release.set()
    await w.drain()
    assert webhook.sent == [("so-y-te", "http://127.0.0.1:1/so-y-te")]


async def test_a_crashed_workers_delivery_is_resumed_only_after_its_lease(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    hook = next(d for d in await all_deliveries(stores) if d.channel == Channel.WEBHOOK)
    stored = await stores.deliveries.get(hook.id)
    assert stored is not None
    now = datetime.now(UTC)
    held = hook.model_copy(update={"status": DeliveryStatus.SENDING, "lease_until": now + timedelta(hours=1)})
    await stores.deliveries.update(hook.id, stored.version, held.model_dump(mode="json"), [])
    webhook = FakeSender()
    clock = ManualClock(now)
    settings = load_notify_settings(**FAST)
    w = DeliveryWorker(stores, {Channel.EMAIL: FakeSender(), Channel.WEBHOOK: webhook}, settings, clock=clock)
    await w.run_once()
    await w.drain()
    clock.now = now + timedelta(minutes=59)
    await w.run_once()
    await w.drain()
    assert webhook.sent == []
    clock.now = now + timedelta(hours=1, seconds=1)
    await w.run_once()
    await w.drain()
    assert webhook.sent == [("so-y-te", "http://127.0.0.1:1/so-y-te")]
    assert await stores.open.size() == 0


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.WEBHOOK])
async def test_no_address_means_no_delivery_on_that_channel(feed: Feed, stores: NotifyStores, channel: Channel) -> None:
    await feed(events.report_submitted("don-vi-moi", events.at(2025, 12, 1)))
    found = await all_deliveries(stores)
    assert [d.channel for d in found if d.recipient_id == "don-vi-moi"] == [Channel.INBOX]
    assert channel not in {d.channel for d in found}


async def test_a_congress_reminder_waits_for_its_day_then_goes_to_inbox_and_email(
    feed: Feed, stores: NotifyStores
) -> None:
    await directory(feed)
    congress = events.congress_scheduled("ubnd-tinh", ["so-y-te"], events.at(2025, 8, 1))
    await record(stores, congress, now=events.at(2025, 8, 2))
    reminders = [d for d in await all_deliveries(stores) if d.reminder_rule == "congress-upcoming"]
    # seven days before 20/09/2025, at 08:00 in Vietnam
    assert {(d.recipient_id, d.channel.value, d.not_before) for d in reminders} == {
        ("so-y-te", "INBOX", datetime(2025, 9, 13, 1, tzinfo=UTC)),
        ("so-y-te", "EMAIL", datetime(2025, 9, 13, 1, tzinfo=UTC)),
        ("ubnd-tinh", "INBOX", datetime(2025, 9, 13, 1, tzinfo=UTC)),
    }
    assert {d.status for d in reminders} == {DeliveryStatus.PENDING}
    assert await stores.deliveries.count({"recipient_id": "so-y-te", "channel": "INBOX", "status": "DELIVERED"}) == 1

    email = FakeSender()
    clock = ManualClock(datetime(2025, 9, 13, 0, 59, tzinfo=UTC))
    w = DeliveryWorker(stores, {Channel.EMAIL: email}, load_notify_settings(**FAST), clock=clock)
    await w.run_once()
    await w.drain()
    assert [d.subject for d in await all_deliveries(stores) if d.id in {r.id for r in reminders} and d.final] == []
    assert email.sent == [("so-y-te", "vanthu@soyte.example")]  # the notification itself, not the reminder

    clock.now = datetime(2025, 9, 13, 1, tzinfo=UTC)
    await w.run_once()
    await w.drain()
    sent = [d for d in await all_deliveries(stores) if d.reminder_rule == "congress-upcoming"]
    assert {d.status for d in sent} == {DeliveryStatus.DELIVERED}
    assert email.sent == [("so-y-te", "vanthu@soyte.example")] * 2
    inbox = next(d for d in sent if d.recipient_id == "so-y-te" and d.channel == Channel.INBOX)
    assert inbox.subject == f"Nhắc lịch: {events.CONGRESS_TITLE} ngày 20/09/2025"


async def test_no_reminder_of_a_date_already_past(feed: Feed, stores: NotifyStores) -> None:
    congress = events.congress_scheduled("ubnd-tinh", ["so-y-te"], events.at(2025, 8, 1))
    await record(stores, congress, now=events.at(2025, 9, 21))
    assert [d for d in await all_deliveries(stores) if d.reminder_rule is not None] == []
    late = events.congress_scheduled("ubnd-tinh", [], events.at(2025, 9, 15), congress_id="dh-muon")
    await record(stores, late, now=events.at(2025, 9, 15))
    [reminder] = [d for d in await all_deliveries(stores) if d.reminder_rule is not None]
    assert reminder.status == DeliveryStatus.DELIVERED  # its moment has passed but the congress has not: at once


async def test_a_daily_digest_sends_one_email_for_the_days_deliveries(
    feed: Feed, stores: NotifyStores, runtime: InMemoryRuntime
) -> None:
    await directory(feed)
    await set_daily_digest(NotifyRepositories.of(stores).recipients, "so-y-te", True, CommandContext.system())
    first = events.report_submitted("so-y-te", events.at(2025, 12, 1, 3))
    second = events.congress_scheduled("ubnd-tinh", ["so-y-te"], events.at(2025, 12, 1, 4), congress_id="dh-7")
    for event in (first, second):
        await record(stores, event, now=event.time)
    waiting = [d for d in await all_deliveries(stores) if d.digest]
    # 08:00 in Vietnam on 2 December is 01:00 UTC (the 1 December one had passed at 03:00 UTC)
    assert {(d.recipient_id, d.not_before) for d in waiting} == {("so-y-te", datetime(2025, 12, 2, 1, tzinfo=UTC))}
    assert len(waiting) == 2

    email = FakeSender()
    clock = ManualClock(datetime(2025, 12, 2, 0, 30, tzinfo=UTC))
    w = DeliveryWorker(stores, {Channel.EMAIL: email}, load_notify_settings(**FAST), clock=clock)
    await w.run_once()
    await w.drain()
    assert ("so-y-te", "vanthu@soyte.example") not in email.sent
    assert ("so-noi-vu", "tdkt@snv.example") in email.sent  # no digest for it: at once
    clock.now = datetime(2025, 12, 2, 1, tzinfo=UTC)
    assert await w.run_once() == 1
    await w.drain()
    assert [s for s in email.sent if s[0] == "so-y-te"] == [("so-y-te", "vanthu@soyte.example")]
    [message] = [m for m in email.messages if m.recipient_id == "so-y-te"]
    assert message.subject == "Tổng hợp 2 thông báo thi đua, khen thưởng"
    assert message.body is not None
    assert "1. Báo cáo kỳ 2025 đã được nộp" in message.body
    assert f"2. Thông báo tổ chức {events.CONGRESS_TITLE}" in message.body
    done = [d for d in await all_deliveries(stores) if d.digest]
    assert {(d.status, len(d.attempts)) for d in done} == {(DeliveryStatus.DELIVERED, 1)}
    delivered = [e for e in outcome_events(runtime) if isinstance(e, NotificationDelivered)]
    assert {e.notification_id for e in delivered} >= {d.id for d in done}


@pytest.mark.parametrize("ticks", range(6))
async def test_the_worker_stops_when_a_wake_and_the_stop_meet(stores: NotifyStores, ticks: int) -> None:
    """A stop that lands while the worker's wait is waking must still end the worker (Python 3.11's `wait_for`
    swallowed such a cancel, and the worker ran on, so `tdkt-notify` outlived SIGTERM)."""
    w = worker(stores, FakeSender(), FakeSender(), delivery_poll_interval_ms=600_000)
    w.start()
    for _ in range(5):  # past the first sweep, into the wait
        await asyncio.sleep(0)
    w.wake()
    for _ in range(ticks):
        await asyncio.sleep(0)
    stopping = asyncio.create_task(w.stop())
    done, _ = await asyncio.wait([stopping], timeout=5)
    assert stopping in done, "the worker did not stop"


async def test_a_stop_lets_a_failed_delivery_finish_its_dead_letter(feed: Feed, stores: NotifyStores) -> None:
    """The FAILED record is written, then the dead letter goes out: a stop in between waits for it (within its
    grace), so a graceful stop loses no dead letter."""
    await directory(feed)
    sending, release = asyncio.Event(), asyncio.Event()
    letters: list[str] = []

    class SlowSink:
        async def send(self, record: ConsumedRecord, *, reason: str, error: str, attempts: int, group: str) -> None:
            sending.set()
            await release.wait()
            letters.append(reason)

    w = worker(stores, FakeSender(), FakeSender(failures=-1), delivery_poll_interval_ms=600_000)
    w.dead_letters = SlowSink()
    w.start()
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    w.wake()
    async with asyncio.timeout(10):
        await sending.wait()
    stopping = asyncio.create_task(w.stop(grace_s=5))
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waiting for the send in flight
    release.set()
    done, _ = await asyncio.wait([stopping], timeout=5)
    assert stopping in done
    assert letters == ["delivery-failed"]
