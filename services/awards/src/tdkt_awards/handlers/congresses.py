"""Awards' read model of reporting's congresses: the last day to submit the nominations linked to each."""

from __future__ import annotations

from tdkt_awards.domain.links import KnownCongress, congress_cancelled, congress_rescheduled, congress_scheduled
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.reporting import CongressCancelled, CongressRescheduled, CongressScheduled
from tdkt_shared.kit import Repository

Congresses = Repository[KnownCongress]


async def on_congress_scheduled(event: CloudEvent, data: CongressScheduled, congresses: Congresses) -> bool:
    return await congresses.apply_once(data.congress_id, event, lambda _: (congress_scheduled(data), ()))


async def on_congress_rescheduled(event: CloudEvent, data: CongressRescheduled, congresses: Congresses) -> bool:
    return await congresses.apply_once(data.congress_id, event, lambda c: (congress_rescheduled(c, data), ()))


async def on_congress_cancelled(event: CloudEvent, data: CongressCancelled, congresses: Congresses) -> bool:
    """The day it was learnt stands for the cancellation's when nothing was known of the congress."""
    cancelled = event.time.date()
    return await congresses.apply_once(data.congress_id, event, lambda c: (congress_cancelled(c, data, cancelled), ()))
