"""The seed letter played end to end over the public HTTP APIs and the bus (issue 7).

Run by `make demo` / `tdkt-demo` (against `make run`'s services) and by `tests/e2e` (against services started as
processes). It talks to the services over HTTP only, each request with the token of the role that makes it
(docs/authorization.md), reads the topics with a plain aiokafka consumer, receives the press body's webhooks and,
when given one, notify's e-mail at an SMTP server. Every id carries a run id, so a run never collides with the seed
or with an earlier run.

- `api`: where the services are, who calls (`Who`), one call that waits for its event (`Service`);
- `events`: the run's events on the bus (`EventLog`) and the waits;
- `receivers`: the press body's webhook receiver (`signed`) and the SMTP sink;
- `cast`: the run's ids and who plays each part; `run`: what a step reads and records;
- `steps/`: the steps by stage; `scenario`: `Scenario` runs them in order; `summary`: the tables; `cli`.
"""

from tdkt_demo.api import Endpoints, Who
from tdkt_demo.events import EventLog, ScenarioError
from tdkt_demo.receivers import MailSink, WebhookReceiver, signed, smtp_sink, webhook_receiver
from tdkt_demo.run import Result, Step
from tdkt_demo.scenario import Scenario, run_demo
from tdkt_demo.summary import summary

__all__ = [
    "Endpoints",
    "EventLog",
    "MailSink",
    "Result",
    "Scenario",
    "ScenarioError",
    "Step",
    "WebhookReceiver",
    "Who",
    "run_demo",
    "signed",
    "smtp_sink",
    "summary",
    "webhook_receiver",
]
