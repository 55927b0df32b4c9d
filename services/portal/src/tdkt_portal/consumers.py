"""Event type -> handler, and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from tdkt_portal.handlers import honourees
from tdkt_portal.store import Repositories
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.contract import service_topic
from tdkt_shared.contract.awards import AwardGranted, AwardRevoked
from tdkt_shared.contract.notify import PublicationRequested
from tdkt_shared.runtime import Stores

TOPICS = (service_topic("registry"), service_topic("awards"), service_topic("notify"))


def event_handlers(stores: Stores) -> Mapping[str, EventHandler]:
    repositories = Repositories.of(stores)
    return {
        **repositories.directory.event_handlers(),
        AwardGranted.event_type: partial(honourees.on_award_granted, honourees=repositories.honourees),
        AwardRevoked.event_type: partial(honourees.on_award_revoked, honourees=repositories.honourees),
        PublicationRequested.event_type: partial(
            honourees.on_publication_requested, publications=repositories.publications
        ),
    }
