"""Award processing as a service definition (a skeleton until its issue lands)."""

from __future__ import annotations

from functools import partial

from tdkt_shared.runtime import ServiceDefinition
from tdkt_shared.runtime import main as run

DEFINITION = ServiceDefinition(name="awards", title="TĐKT award processing", collections=())

main = partial(run, DEFINITION)
"""The `tdkt-awards` command: `tdkt-awards [--role all|api|worker]`."""
