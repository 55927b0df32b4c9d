"""The application kit every service's command side is written with.

- `CommandContext`: who asks, the correlation id, the clock (`tdkt_shared.kit.context`);
- `Repository` and `Loaded`: typed load and save over the aggregate store, envelopes from the event registry
  (`tdkt_shared.kit.repository`);
- `Context` and `Versioned`: the same for an HTTP request (`tdkt_shared.kit.http`);
- `Directory`: the organisation read model and its merger lineage, kept from registry events
  (`tdkt_shared.kit.directory`).

The rule (docs/architecture.md): every write is a named handler in one module per aggregate; it loads once, checks
the policy on what it loaded, calls the pure domain and saves. Routers only parse, call and render.
"""

from tdkt_shared.kit.context import Clock, CommandContext, utc_now
from tdkt_shared.kit.repository import Change, Events, Loaded, Repository, as_list

__all__ = ["Change", "Clock", "CommandContext", "Events", "Loaded", "Repository", "as_list", "utc_now"]
