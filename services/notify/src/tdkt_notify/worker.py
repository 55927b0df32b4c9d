"""The delivery worker: sends recorded deliveries off the consumer path.

The consumer only records deliveries, and hands the ones it recorded to this worker (`wake`), which starts them at
once. Every `delivery_poll_interval_ms` (a minute) the worker also sweeps for PENDING ones (reminders and digests
that fell due, deliveries recorded by another process) and SENDING ones whose lease lapsed because a worker died.
The sweep reads the agenda of open deliveries (`open_deliveries`), never the deliveries themselves, which are kept
for good: its cost follows the open ones, not the history. Only the first sweep after a start also reads every
delivery, to put any open one the agenda lacks back on it. It claims each, and sends it in its own
task: at most `concurrency` sends are in flight, each bounded by a timeout, and the backoff between attempts holds
no slot. So a slow or dead endpoint delays only its own deliveries. Every attempt is written to the delivery
before the next one; after the last failed attempt the delivery is FAILED and `notification.failed.v1` goes out
(the failure path, like a dead-letter queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from tdkt_notify.channels import Sender, SendError
from tdkt_notify.domain.deliveries import Delivery, DeliveryStatus
from tdkt_notify.domain.directory import Recipient
from tdkt_notify.handlers.deliveries import answering, claim_delivery, record_attempt, render_digest
from tdkt_notify.handlers.recipients import find_recipient
from tdkt_notify.repositories import NotifyRepositories
from tdkt_notify.settings import NotifySettings
from tdkt_notify.store import NotifyStores
from tdkt_shared.bus.codec import ConsumedRecord
from tdkt_shared.bus.consumer import DeadLetterSink
from tdkt_shared.contract import CONTENT_TYPE, CloudEvent, topic_of
from tdkt_shared.contract.notify import Channel
from tdkt_shared.kit import Clock, CommandContext, utc_now

log = logging.getLogger(__name__)
SWEEP_PAGE = 500


class _AttemptFailed(Exception):
    pass


class _InboxSender:
    """A due inbox reminder is delivered by marking its record delivered: nothing to send."""

    async def send(self, delivery: Delivery, recipient: Recipient | None) -> None:
        return None


_INBOX = _InboxSender()


STOP_GRACE_S = 3.0
"""How long a stop waits for the sends in flight before it cancels them (less than compose's 10 s before SIGKILL)."""


class DeliveryWorker:
    def __init__(
        self,
        stores: NotifyStores,
        senders: Mapping[Channel, Sender],
        settings: NotifySettings,
        *,
        clock: Clock = utc_now,
        dead_letters: DeadLetterSink | None = None,
        group: str = "tdkt-notify",
    ) -> None:
        self.dead_letters = dead_letters
        self._group = group
        self._stores = stores
        self._repositories = NotifyRepositories.of(stores)
        self._senders = senders
        self._settings = settings
        self._clock = clock
        self._slots = asyncio.Semaphore(settings.delivery_concurrency)
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._busy: set[str] = set()
        self._wake = asyncio.Event()
        self._hinted: dict[str, Delivery] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._swept = -math.inf
        """When the last sweep began (monotonic)."""
        self._adopted = False
        self._stopping = False

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="delivery-worker")

    def wake(self, recorded: Sequence[Delivery] = ()) -> None:
        """Deliveries were just recorded (start them now); with none, sweep now."""
        self._hinted.update((d.id, d) for d in recorded)
        if not recorded:
            self._swept = -math.inf
        self._wake.set()

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """End the loop (by its flag too: a cancel can be lost as a wait wakes), give the sends in flight `grace_s`
        to finish what they began (an attempt's record, a dead letter), then cancel what is left (a lease ends it)."""
        self._stopping = True
        self._wake.set()
        if self._in_flight and grace_s > 0:
            await asyncio.wait(list(self._in_flight.values()), timeout=grace_s)
        tasks = [t for t in (self._loop_task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self) -> None:
        interval = self._settings.delivery_poll_interval_ms / 1000
        while not self._stopping:
            self._wake.clear()
            try:
                self.run_hinted()
                if time.monotonic() - self._swept >= interval:
                    await self.run_once()
            except Exception:
                log.exception("delivery sweep failed; trying again")
            if not self._hinted and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, self._swept + interval - time.monotonic())):
                        await self._wake.wait()

    def run_hinted(self) -> int:
        """Start the deliveries handed over by `wake`; the number of sends started."""
        hinted, self._hinted = list(self._hinted.values()), {}
        return self._start(hinted)

    async def run_once(self) -> int:
        """Start a task for each delivery due for sending; the number started."""
        self._swept = time.monotonic()
        if not self._adopted:
            await self._adopt()
            self._adopted = True
        now = self._clock()
        found = []
        # earliest first; an entry is moved to its lease's end when claimed, so sends in flight do not crowd it
        for delivery_id, at in await self._stores.open.due(now, limit=SWEEP_PAGE):
            if delivery_id in self._busy:
                continue
            loaded = await self._repositories.deliveries.get(delivery_id)
            if loaded is None:
                if at < now - timedelta(seconds=self._settings.delivery_lease_s):
                    await self._stores.open.done(delivery_id)  # its create never happened
                continue
            delivery = loaded.aggregate
            if delivery.final:
                await self._stores.open.done(delivery_id)  # its worker stopped between the two writes
                continue
            found.append(delivery)
        return self._start(found)

    async def _adopt(self) -> None:
        """Put every open delivery on the agenda (a read of all deliveries, at start): ones written before the
        agenda existed, or by a process that lost its agenda entry.

        Pages by offset over a set that shrinks as deliveries become final, so a pass over more than one page
        may step over some; then it passes once more."""
        open_states = {"status": {"$in": [DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]}}
        for _ in range(2):
            skip = 0
            while True:
                page = await self._stores.deliveries.find(open_states, skip=skip, limit=SWEEP_PAGE, sort="created_at")
                for stored in page:
                    try:
                        delivery = Delivery.model_validate(stored.state)
                    except ValueError:
                        log.exception("delivery %s cannot be read; left off the agenda", stored.id)
                        continue
                    at = delivery.lease_until if delivery.status == DeliveryStatus.SENDING else None
                    await self._stores.open.schedule(delivery.id, at or delivery.not_before or delivery.created_at)
                if len(page) < SWEEP_PAGE:
                    break
                skip += len(page)
            if skip == 0:
                return

    def _start(self, deliveries: Sequence[Delivery]) -> int:
        now = self._clock()
        groups: dict[str, list[str]] = {}
        for delivery in () if self._stopping else deliveries:
            if delivery.id in self._busy or delivery.final or not delivery.due(now):  # inbox ones are born final
                continue
            lease = delivery.lease_until
            if delivery.status == DeliveryStatus.SENDING and lease is not None and lease >= now:
                continue
            # a recipient's due digest e-mails go as one message; everything else alone
            key = f"digest|{delivery.recipient_id}" if delivery.digest else delivery.id
            groups.setdefault(key, []).append(delivery.id)
        for key, ids in groups.items():
            if key in self._in_flight:
                continue
            self._busy.update(ids)
            task = asyncio.create_task(self._deliver(ids), name=f"deliver-{key}")
            self._in_flight[key] = task
            task.add_done_callback(functools.partial(self._forget, key, ids))
        return len(groups)

    def _forget(self, key: str, ids: list[str], _task: asyncio.Task[None]) -> None:
        self._in_flight.pop(key, None)
        self._busy.difference_update(ids)

    async def drain(self) -> None:
        """Wait for the sends in flight (tests and shutdown)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    def _lease(self) -> datetime:
        return self._clock() + timedelta(seconds=self._settings.delivery_lease_s)

    async def _deliver(self, ids: list[str]) -> None:
        try:
            members = []
            for delivery_id in ids:
                claimed = await claim_delivery(
                    self._repositories.deliveries,
                    delivery_id,
                    CommandContext.system(now=self._clock()),
                    lease_until=self._lease(),
                )
                if claimed is not None:
                    members.append(claimed)
                    if claimed.lease_until is not None:  # not due again while leased: it cannot crowd a sweep
                        await self._stores.open.schedule(claimed.id, claimed.lease_until)
            if not members:
                return
            single = len(members) == 1 and not members[0].digest
            message = members[0] if single else await render_digest(self._repositories, members)
            s = self._settings
            remaining = s.delivery_max_attempts - max(len(m.attempts) for m in members)
            if remaining < 1:
                remaining = 1
            retrying = AsyncRetrying(
                stop=stop_after_attempt(remaining),
                wait=wait_exponential_jitter(
                    multiplier=s.delivery_backoff_initial_s,
                    max=s.delivery_backoff_max_s,
                    jitter=s.delivery_backoff_jitter_s,
                ),
                retry=retry_if_exception_type(_AttemptFailed),
                reraise=True,
            )
            with contextlib.suppress(_AttemptFailed):
                async for attempt in retrying:
                    if self._stopping and attempt.retry_state.attempt_number > 1:
                        return  # no new attempt while stopping: the lease ends and a sweep resumes it
                    with attempt:
                        await self._attempt(message, members)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("deliveries %s could not be processed; they will be picked up again", ids)

    async def _attempt(self, delivery: Delivery, members: list[Delivery]) -> None:
        """Send `delivery` (a digest stands for all `members`) and log the attempt on every member."""
        sender = self._senders.get(delivery.channel, _INBOX if delivery.channel == Channel.INBOX else None)
        error: str | None = None
        async with self._slots:
            try:
                if sender is None:
                    raise SendError(f"no sender for {delivery.channel}")
                recipient = await find_recipient(self._repositories.recipients, delivery.recipient_id)
                async with asyncio.timeout(self._settings.delivery_attempt_timeout_s):
                    await sender.send(delivery, recipient)
            except TimeoutError:
                error = f"timed out after {self._settings.delivery_attempt_timeout_s}s"
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:1000]
        updates = [
            await record_attempt(
                self._repositories.deliveries,
                member.id,
                answering(member, self._clock()),
                ok=error is None,
                error=error,
                max_attempts=self._settings.delivery_max_attempts,
                lease_until=self._lease(),
            )
            for member in members
        ]
        final = [u.id for u in updates if u.final]
        if error is not None and len(final) < len(updates):
            await self._close(final)
            log.info("delivery %s attempt %d failed: %s", delivery.id, len(updates[0].attempts), error)
            raise _AttemptFailed(error)
        if error is not None:
            log.warning("delivery %s failed after %d attempts: %s", delivery.id, len(updates[0].attempts), error)
            await self._dead_letter(delivery, error, len(updates[0].attempts))
        await self._close(final)  # last: a stop before it leaves entries the sweep drops, never a lost dead letter

    async def _close(self, delivery_ids: list[str]) -> None:
        for delivery_id in delivery_ids:
            await self._stores.open.done(delivery_id)

    async def _dead_letter(self, delivery: Delivery, error: str, attempts: int) -> None:
        """The source event goes to the dead-letter topic of the topic it came from, saying which delivery failed.

        Sent after the FAILED state is stored: a crash in between loses this copy, never the failure record."""
        if self.dead_letters is None:
            return
        event = CloudEvent.model_validate(delivery.event)
        record = ConsumedRecord(
            topic_of(event),
            -1,
            -1,
            event.partitionkey.encode(),
            event.to_json_bytes(),
            [
                ("content-type", CONTENT_TYPE.encode()),
                ("notify-delivery-id", delivery.id.encode()),
                ("notify-recipient", delivery.recipient_id.encode()),
                ("notify-channel", delivery.channel.value.encode()),
            ],
        )
        detail = f"{delivery.channel.value} delivery to {delivery.recipient_id} failed: {error}"
        await self.dead_letters.send(
            record, reason="delivery-failed", error=detail, attempts=attempts, group=self._group
        )
