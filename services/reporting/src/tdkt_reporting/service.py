"""Movement reporting as a service definition."""

from __future__ import annotations

from functools import partial

from tdkt_reporting import consumers, scheduler, store
from tdkt_reporting.api import clusters, congresses, movements, registrations, reports, scoring
from tdkt_shared.kit import directory
from tdkt_shared.kit.definition import service_definition
from tdkt_shared.runtime import main as run

DEFINITION = service_definition(
    "reporting",
    "TĐKT movement reporting",
    store,
    consumers,
    routers=[
        directory.router(store.ORGANIZATIONS),
        clusters.router,
        movements.router,
        movements.writes,
        reports.router,
        reports.reminders_router,
        congresses.router,
        congresses.writes,
        scoring.router,
        scoring.writes,
        registrations.router,
        scheduler.router,
    ],
    remembered=(store.REPORTS,),
    cached=(store.ORGANIZATIONS,),  # read by every authorised request (an organisation's lineage)
)

main = partial(run, DEFINITION)
"""The `tdkt-reporting` command: `tdkt-reporting [--role all|api|worker]`."""
