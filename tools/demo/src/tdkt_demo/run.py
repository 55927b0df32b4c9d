"""One run of the scenario: what every step reads (the cast, the APIs, the receivers) and what it records."""

from __future__ import annotations

from dataclasses import dataclass, field

from tdkt_demo.api import Services
from tdkt_demo.cast import Cast
from tdkt_demo.events import EventLog, short_type
from tdkt_demo.receivers import MailSink, WebhookReceiver
from tdkt_shared.contract import CloudEvent


@dataclass
class Step:
    number: str
    title: str
    outcome: str
    events: list[str]


@dataclass
class Result:
    run_id: str
    steps: list[Step]
    log: EventLog
    ids: dict[str, str]
    mail: MailSink | None = None


@dataclass
class Run:
    cast: Cast
    log: EventLog
    services: Services
    webhooks: WebhookReceiver
    mail: MailSink | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.cast.run_id

    @property
    def ids(self) -> dict[str, str]:
        return self.cast.ids

    def record(self, number: str, title: str, outcome: str, events: list[tuple[str, list[CloudEvent]]]) -> None:
        """A step of the summary (its number in the letter), with the events it saw per aggregate key."""
        seen = [f"{short_type(e.type)} [{key}]" for key, found in events for e in found]
        self.steps.append(Step(number, title, outcome, seen))
