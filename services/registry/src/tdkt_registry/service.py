"""The registry as a service definition."""

from __future__ import annotations

from functools import partial

from tdkt_registry import consumers, store
from tdkt_registry.api import (
    assessments,
    cases,
    clusters,
    collective_assessments,
    contact_points,
    councils,
    initiatives,
    lineage,
    organizations,
    persons,
    reorganizations,
    roles,
)
from tdkt_shared.runtime import ServiceDefinition
from tdkt_shared.runtime import main as run

DEFINITION = ServiceDefinition(
    name="registry",
    title="TĐKT unit registry",
    collections=store.COLLECTIONS,
    routers=[
        organizations.router,
        lineage.router,
        reorganizations.router,
        roles.router,
        contact_points.router,
        clusters.router,
        persons.router,
        councils.router,
        cases.router,
        initiatives.router,
        assessments.router,
        collective_assessments.router,
    ],
    handlers=consumers.event_handlers,
    indexes=store.INDEXES,
)

main = partial(run, DEFINITION)
"""The `tdkt-registry` command: `tdkt-registry [--role all|api|worker]`."""
