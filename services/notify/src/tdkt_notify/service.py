"""Notifications as a service definition, and its runtime: the shared one plus the delivery worker."""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial

import httpx

from tdkt_notify import consumers, store
from tdkt_notify.api import deliveries, groups, recipients, rules, templates
from tdkt_notify.channels import EmailSender, Sender, WebhookSender
from tdkt_notify.handlers import seed_defaults
from tdkt_notify.settings import NotifySettings, load_notify_settings
from tdkt_notify.store import NotifyStores
from tdkt_notify.worker import DeliveryWorker
from tdkt_shared.bus.consumer import EventHandler, KafkaDeadLetters
from tdkt_shared.contract.notify import Channel
from tdkt_shared.kit import directory
from tdkt_shared.runtime import CurrentProducer, Role, Runtime, ServiceDefinition, Stores
from tdkt_shared.runtime import main as run
from tdkt_shared.settings import Settings


def _handlers(stores: Stores) -> Mapping[str, EventHandler]:
    worker = getattr(stores, "worker", None)
    settings: NotifySettings | None = getattr(stores, "notify_settings", None)
    hour = settings.digest_hour if settings is not None else 8
    return consumers.event_handlers(stores, worker.wake if worker is not None else lambda _recorded: None, hour)


DEFINITION = ServiceDefinition(
    name="notify",
    title="TĐKT notifications",
    collections=store.COLLECTIONS,
    read_models=store.READ_MODELS,
    routers=[
        rules.router,
        templates.router,
        recipients.router,
        recipients.own_router,
        groups.router,
        deliveries.router,
        deliveries.inbox_router,
        directory.router(),
    ],
    consumes=consumers.TOPICS,
    handlers=_handlers,
    indexes=store.INDEXES,
    cached=store.REFERENCE,
    agendas=(store.OPEN_DELIVERIES,),
)


class NotifyRuntime(Runtime):
    """Seeds the default rules and templates, and runs the delivery worker next to the consumers."""

    def __init__(
        self,
        definition: ServiceDefinition = DEFINITION,
        settings: Settings | None = None,
        notify_settings: NotifySettings | None = None,
    ) -> None:
        super().__init__(definition, settings)
        self.notify_settings = notify_settings or load_notify_settings()
        self.worker: DeliveryWorker | None = None
        self._http: httpx.AsyncClient | None = None

    def senders(self, http: httpx.AsyncClient) -> dict[Channel, Sender]:
        return {Channel.EMAIL: EmailSender(self.notify_settings), Channel.WEBHOOK: WebhookSender(http, time.time)}

    async def start(self, role: Role = "all") -> None:
        stores = NotifyStores.of(self)
        await seed_defaults(stores)
        if role != "api":
            self._http = httpx.AsyncClient(timeout=self.notify_settings.delivery_attempt_timeout_s)
            self.worker = DeliveryWorker(stores, self.senders(self._http), self.notify_settings)
        await super().start(role)
        if self.worker is not None:
            self.worker.dead_letters = KafkaDeadLetters(CurrentProducer(self))
            self.worker.start()

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
        if self._http is not None:
            await self._http.aclose()
        await super().stop()


main = partial(run, DEFINITION, runtime=NotifyRuntime)
"""The `tdkt-notify` command: `tdkt-notify [--role all|api|worker]`."""
