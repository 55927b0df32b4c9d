"""`python -m bench.hints [--hints N] [--bound B]`: the memory the outbox relay holds for a backlog of hints.

Writers that outrun the relay leave hints behind. Each hint is the pending `report.submitted` event as the store
hands it over. The command measures, with `tracemalloc`, what N of them keep alive, with the relay's bound on hints
carried with their events (`MAX_HINTS_WITH_EVENTS`) set to B.
"""

from __future__ import annotations

import argparse
import tracemalloc
from datetime import UTC, date, datetime

from tdkt_shared.bus import relay as relay_module
from tdkt_shared.bus.relay import OutboxRelay
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.reporting import ReportKind, ReportSubmitted
from tdkt_shared.store import InMemoryAggregateStore, Pending


def submitted(i: int) -> tuple[str, CloudEvent]:
    report, org = f"b1a2b3c-report-{i:06d}", f"b1a2b3c-org-{i % 100}"
    data = ReportSubmitted(
        report_id=report,
        organization_id=org,
        kind=ReportKind.PERIODIC,
        period="2025",
        due_date=date(2025, 12, 15),
        submitted_at=datetime.now(UTC),
        movement_id="pt-chuyen-doi-so",
        submitted_by=org,
        revision=1,
    )
    return report, make_event(data, partitionkey=report)


def held_mib(hints: int, bound: int) -> float:
    relay_module.MAX_HINTS_WITH_EVENTS = bound
    relay = OutboxRelay([InMemoryAggregateStore("reports")], None)  # type: ignore[arg-type]  # hints only: no I/O
    written = [submitted(i) for i in range(hints)]
    tracemalloc.start()
    try:
        while written:
            report, event = written.pop()
            relay.hint("reports", report, Pending(report, 2, (event.to_document(),)))  # as the store does
        del event
        current, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return current / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hints", description=__doc__)
    parser.add_argument("--hints", type=int, default=28_000)
    parser.add_argument("--bound", type=int, default=relay_module.MAX_HINTS_WITH_EVENTS)
    args = parser.parse_args()
    print(f"{args.hints} hints, bound {args.bound}: {held_mib(args.hints, args.bound):.1f} MiB held")


if __name__ == "__main__":
    main()
