"""Award processing as a service definition."""

from __future__ import annotations

from functools import partial

from tdkt_awards import consumers, store
from tdkt_awards.api import attachments, catalogue, council_sessions, documents, grants, nominations, records, rule_sets
from tdkt_shared.kit import directory
from tdkt_shared.kit.definition import service_definition
from tdkt_shared.runtime import main as run

ORGANIZATION_DESCRIPTION = "An organisation as awards knows it from registry events, with the lineage chains follow."

DEFINITION = service_definition(
    "awards",
    "TĐKT award processing",
    store,
    consumers,
    routers=[
        catalogue.router,
        nominations.router,
        attachments.router,
        documents.router,
        grants.router,
        records.router,
        council_sessions.router,
        rule_sets.router,
        directory.router(description=ORGANIZATION_DESCRIPTION),
    ],
    buckets=store.BUCKETS,
    # read by most requests: an officer's organisations, and the catalogue (the seed and the published versions)
    cached=(store.ORGANIZATIONS, store.RULE_SETS),
)

main = partial(run, DEFINITION)
"""The `tdkt-awards` command: `tdkt-awards [--role all|api|worker]`."""
