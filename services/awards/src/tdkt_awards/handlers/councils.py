"""Awards' read model of the registry's councils (Hội đồng TĐKT): who sits on them, hence who may vote."""

from __future__ import annotations

from tdkt_awards.domain.registry import KnownCouncil, council_constituted, council_membership_changed
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import CouncilConstituted, CouncilMembershipChanged
from tdkt_shared.kit import Repository

Councils = Repository[KnownCouncil]


async def on_council_constituted(event: CloudEvent, data: CouncilConstituted, councils: Councils) -> bool:
    return await councils.apply_once(data.council_id, event, lambda _: (council_constituted(data), ()))


async def on_council_membership_changed(event: CloudEvent, data: CouncilMembershipChanged, councils: Councils) -> bool:
    return await councils.apply_once(data.council_id, event, lambda c: (council_membership_changed(c, data), ()))
