"""The seed letter, step by step, in the order the letter's work happens."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import nullcontext

from rich.console import Console

from tdkt_demo.api import Endpoints, connected
from tdkt_demo.cast import Cast
from tdkt_demo.events import EventLog
from tdkt_demo.receivers import MailSink, WebhookReceiver, smtp_sink, webhook_receiver
from tdkt_demo.run import Result, Run
from tdkt_demo.steps.council import provincial_fighters, state_consultation
from tdkt_demo.steps.movements import congress, launch_movement, ranking, registrations, reports
from tdkt_demo.steps.nominations import chain_across_the_merger, collective_title
from tdkt_demo.steps.notifications import notifications
from tdkt_demo.steps.organisations import reorganize, seed_registry
from tdkt_demo.steps.records import load_histories
from tdkt_demo.summary import summary

STEPS: list[Callable[[Run], Awaitable[None]]] = [
    seed_registry,
    load_histories,
    launch_movement,
    registrations,
    reports,
    ranking,
    provincial_fighters,
    collective_title,
    state_consultation,
    congress,
    notifications,
    reorganize,
    chain_across_the_merger,
]


class Scenario:
    """The seed letter against running services; every request carries the token of whoever does it in real life
    (`tdkt_demo.cast`)."""

    def __init__(
        self, endpoints: Endpoints, webhooks: WebhookReceiver, run_id: str | None = None, mail: MailSink | None = None
    ) -> None:
        self.endpoints = endpoints
        self.webhooks = webhooks
        self.mail = mail
        self.cast = Cast(run_id or uuid.uuid4().hex[:8])
        self.run_id = self.cast.run_id
        self.ids = self.cast.ids
        self.log = EventLog(endpoints.bootstrap, self.run_id)

    async def run(self) -> Result:
        await self.log.start()
        try:
            async with connected(self.endpoints, self.log) as services:
                run = Run(self.cast, self.log, services, self.webhooks, self.mail)
                for step in STEPS:
                    await step(run)
            in_letter_order = sorted(run.steps, key=lambda step: int(step.number))  # the vote (7) ran before 5, 6
            return Result(self.run_id, in_letter_order, self.log, self.ids, self.mail)
        finally:
            await self.log.stop()


async def run_demo(endpoints: Endpoints, console: Console, smtp_port: int | None = None) -> Result:
    """Play the scenario; with `smtp_port`, serve SMTP there (notify's `SMTP_PORT`) and show what arrived."""
    with smtp_sink(smtp_port) if smtp_port else nullcontext() as mail:
        async with webhook_receiver() as webhooks:
            result = await Scenario(endpoints, webhooks, mail=mail).run()
    summary(result, console)
    return result
