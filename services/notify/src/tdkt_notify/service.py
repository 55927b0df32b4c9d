"""Notifications as a service definition (a skeleton until its issue lands)."""

from __future__ import annotations

from functools import partial

from tdkt_shared.runtime import ServiceDefinition
from tdkt_shared.runtime import main as run

DEFINITION = ServiceDefinition(name="notify", title="TĐKT notifications", collections=())

main = partial(run, DEFINITION)
"""The `tdkt-notify` command: `tdkt-notify [--role all|api|worker]`."""
