"""What a run did and which events it saw, as rich tables."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tdkt_demo.run import Result


def summary(result: Result, console: Console) -> None:
    """What happened and which events were seen, as rich tables."""
    steps = Table("step", "what", "outcome", "events seen (type \\[key])", title=f"Seed letter, run {result.run_id}")
    for step in result.steps:
        steps.add_row(step.number, escape(step.title), escape(step.outcome), escape("\n".join(step.events)))
    console.print(steps)
    by_type = Counter(event.type for event in result.log.events)
    totals = Table("event type", "count", title=f"All events of this run on the bus ({len(result.log.events)})")
    for event_type, count in sorted(by_type.items()):
        totals.add_row(event_type, str(count))
    console.print(totals)
    if result.mail is not None:
        mails = Table("to", "subject", title=f"E-mails of this run at the SMTP server on port {result.mail.port}")
        for message in result.mail.of_run(result.run_id):
            mails.add_row(escape(", ".join(message.recipients)), escape(message.subject))
        console.print(mails)
