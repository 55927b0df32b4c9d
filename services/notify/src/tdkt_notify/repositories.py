"""Notify's aggregates as typed repositories (the kit's `Repository`), with the shared organisation directory."""

from __future__ import annotations

from dataclasses import dataclass

from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.domain.directory import Cluster, Council, Recipient, RoleAssignment
from tdkt_notify.domain.routing import RoutingRule
from tdkt_notify.domain.templates import Template
from tdkt_notify.store import NotifyStores
from tdkt_shared.kit import Repository
from tdkt_shared.kit.directory import Directory
from tdkt_shared.runtime import Stores
from tdkt_shared.store.agenda import Agenda


@dataclass(frozen=True)
class NotifyRepositories:
    recipients: Repository[Recipient]
    roles: Repository[RoleAssignment]
    clusters: Repository[Cluster]
    councils: Repository[Council]
    rules: Repository[RoutingRule]
    templates: Repository[Template]
    deliveries: Repository[Delivery]
    open: Agenda
    """The agenda of deliveries not yet final."""
    directory: Directory
    """Organisations and their mergers (sáp nhập), from the registry's events."""

    @classmethod
    def of(cls, stores: Stores | NotifyStores) -> NotifyRepositories:
        notify = stores if isinstance(stores, NotifyStores) else NotifyStores.of(stores)
        return cls(
            recipients=Repository(notify.recipients, Recipient),
            roles=Repository(notify.roles, RoleAssignment),
            clusters=Repository(notify.clusters, Cluster),
            councils=Repository(notify.councils, Council),
            rules=Repository(notify.rules, RoutingRule),
            templates=Repository(notify.templates, Template),
            deliveries=Repository(notify.deliveries, Delivery),
            open=notify.open,
            directory=Directory(notify.organizations),
        )
