"""What every command runs with: who asks, the correlation id, and the time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tdkt_shared.auth import Principal
from tdkt_shared.contract import CloudEvent, new_event_id

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CommandContext:
    """One command's context, fixed when it starts.

    `principal` is None for the platform's own work (consumed events, the scheduler, the seed). Every event the
    command writes carries `correlation_id` and, when the command answers an event, `causation_id`. `tenant` is
    reserved for a deployment that serves several provinces from one installation."""

    correlation_id: str
    now: datetime
    principal: Principal | None = None
    causation_id: str | None = None
    tenant: str | None = None

    @property
    def organization_id(self) -> str | None:
        """The acting organisation: the principal's."""
        return None if self.principal is None else self.principal.organization_id

    @classmethod
    def system(cls, *, correlation_id: str | None = None, now: datetime | None = None) -> CommandContext:
        """The platform acting on its own (the scheduler, the seed, a maintenance command)."""
        return cls(correlation_id=correlation_id or new_event_id(), now=now or utc_now())

    @classmethod
    def caused_by(cls, event: CloudEvent, *, now: datetime | None = None) -> CommandContext:
        """A consumer answering `event`: its correlation continues, and the event is the cause."""
        return cls(correlation_id=event.correlationid or event.id, now=now or utc_now(), causation_id=event.id)
