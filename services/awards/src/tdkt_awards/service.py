"""Award processing as a service definition."""

from __future__ import annotations

from functools import partial

from tdkt_awards import consumers, store
from tdkt_awards.api import attachments, catalogue, council_sessions, documents, grants, nominations, records, rule_sets
from tdkt_shared.kit import directory
from tdkt_shared.runtime import ServiceDefinition
from tdkt_shared.runtime import main as run

ORGANIZATION_DESCRIPTION = "An organisation as awards knows it from registry events, with the lineage chains follow."

DEFINITION = ServiceDefinition(
    name="awards",
    title="TĐKT award processing",
    collections=store.COLLECTIONS,
    read_models=store.READ_MODELS,
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
    consumes=consumers.TOPICS,
    handlers=consumers.event_handlers,
    indexes=store.INDEXES,
    buckets=store.BUCKETS,
    # read by most requests: an officer's organisations, and the catalogue (the seed and the published versions)
    cached=(store.ORGANIZATIONS, store.RULE_SETS),
)

main = partial(run, DEFINITION)
"""The `tdkt-awards` command: `tdkt-awards [--role all|api|worker]`."""
