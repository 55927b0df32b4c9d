"""Reporting's named handlers: one module per aggregate, each write loading once, checking `policy` on what it
loaded, calling the pure domain and saving through the kit's `Repository`."""

from __future__ import annotations

from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import OrganizationRegistered
from tdkt_shared.kit.directory import Directory
from tdkt_shared.store import AggregateStore


async def on_organization_registered(
    event: CloudEvent, data: OrganizationRegistered, organizations: AggregateStore
) -> bool:
    """The kit directory's projection of one registration over `organizations`. Only for
    tests/integration/test_relay.py, outside this service's paths: it can call `Directory(store).on_registered`."""
    return await Directory(organizations).on_registered(event, data)
