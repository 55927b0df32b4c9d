"""Events the registry consumes: none yet (it is the source of truth for organisations)."""

from __future__ import annotations

from collections.abc import Mapping

from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.runtime import Stores


def event_handlers(_stores: Stores) -> Mapping[str, EventHandler]:
    return {}
