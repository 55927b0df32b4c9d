"""Notification collections (each an aggregate store) and their indexes."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ASCENDING, IndexModel

from tdkt_shared.kit.directory import ORGANIZATIONS
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore
from tdkt_shared.store.agenda import Agenda

RECIPIENTS = "recipients"
"""Organisations, persons (from registry events) and explicit subscribers, with their contact points."""
ROLE_ASSIGNMENTS = "role_assignments"
RULES = "routing_rules"
TEMPLATES = "templates"
DELIVERIES = "deliveries"
OPEN_DELIVERIES = "open_deliveries"
"""The agenda of deliveries not yet final, by when each falls due: what the worker's sweep reads."""
CLUSTERS = "clusters"
"""Emulation clusters and blocs with their membership over time (from registry events)."""
COUNCILS = "councils"
"""Emulation–Commendation Councils with their members (from registry events)."""

# ORGANIZATIONS: the shared organisation directory with its mergers (the kit's `Directory`).
REFERENCE = (RECIPIENTS, ROLE_ASSIGNMENTS, RULES, TEMPLATES, CLUSTERS, COUNCILS, ORGANIZATIONS)
"""Read for every event routed and written rarely: served from memory until this process changes them (see
`tdkt_shared.store.cached`)."""
READ_MODELS = (ROLE_ASSIGNMENTS, CLUSTERS, COUNCILS, ORGANIZATIONS)
"""Built only from the registry's events (`tdkt replay notify --reset`); recipients also hold subscribers and secrets
set here, so they are not dropped."""
COLLECTIONS = (RECIPIENTS, ROLE_ASSIGNMENTS, RULES, TEMPLATES, DELIVERIES, CLUSTERS, COUNCILS, ORGANIZATIONS)
INDEXES = {
    CLUSTERS: [IndexModel([("state.member_ids", ASCENDING)])],
    COUNCILS: [IndexModel([("state.organization_id", ASCENDING)])],
    ROLE_ASSIGNMENTS: [IndexModel([("state.role", ASCENDING)])],
    DELIVERIES: [
        IndexModel([("state.status", ASCENDING)]),
        IndexModel([("state.recipient_id", ASCENDING), ("state.channel", ASCENDING)]),
        IndexModel([("state.event_id", ASCENDING)]),
    ],
}


@dataclass(frozen=True)
class NotifyStores:
    recipients: AggregateStore
    roles: AggregateStore
    rules: AggregateStore
    templates: AggregateStore
    deliveries: AggregateStore
    open: Agenda
    clusters: AggregateStore
    councils: AggregateStore
    organizations: AggregateStore

    @classmethod
    def of(cls, stores: Stores) -> NotifyStores:
        return cls(
            recipients=stores.store(RECIPIENTS),
            roles=stores.store(ROLE_ASSIGNMENTS),
            rules=stores.store(RULES),
            templates=stores.store(TEMPLATES),
            deliveries=stores.store(DELIVERIES),
            open=stores.agenda(OPEN_DELIVERIES),
            clusters=stores.store(CLUSTERS),
            councils=stores.store(COUNCILS),
            organizations=stores.store(ORGANIZATIONS),
        )
