"""Awards' read model of reporting's congresses: the last day to submit the nominations linked to each."""

from __future__ import annotations

from tdkt_awards.domain.links import KnownCongress, congress_cancelled, congress_rescheduled, congress_scheduled
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.reporting import CongressCancelled, CongressRescheduled, CongressScheduled
from tdkt_shared.kit import Repository


async def on_congress_scheduled(
    event: CloudEvent, data: CongressScheduled, congresses: Repository[KnownCongress]
) -> bool:
    return await congresses.apply_once(data.congress_id, event, lambda _current: (congress_scheduled(data), ()))


async def on_congress_rescheduled(
    event: CloudEvent, data: CongressRescheduled, congresses: Repository[KnownCongress]
) -> bool:
    return await congresses.apply_once(
        data.congress_id, event, lambda current: (congress_rescheduled(current, data), ())
    )


async def on_congress_cancelled(
    event: CloudEvent, data: CongressCancelled, congresses: Repository[KnownCongress]
) -> bool:
    on = event.time.date()
    return await congresses.apply_once(
        data.congress_id, event, lambda current: (congress_cancelled(current, data, on), ())
    )
