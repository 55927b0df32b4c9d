"""Who may do what to a notify aggregate as loaded (the routes admit the principal; this checks the aggregate)."""

from __future__ import annotations

from tdkt_notify.domain.deliveries import Delivery
from tdkt_shared.store import NotFound


def ensure_in_inbox(delivery: Delivery, recipient_id: str) -> None:
    """A message is read through its own recipient's inbox: in another's it does not exist (404, not 403, which
    would tell that it exists)."""
    if delivery.recipient_id != recipient_id:
        raise NotFound(delivery.id)
