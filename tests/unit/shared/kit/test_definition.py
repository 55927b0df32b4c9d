"""`service_definition` wires a service from its `store` and `consumers` modules."""

from __future__ import annotations

from collections.abc import Mapping

from tdkt_awards import consumers as awards_consumers
from tdkt_awards import store as awards_store
from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_portal import consumers as portal_consumers
from tdkt_portal import store as portal_store
from tdkt_portal.service import DEFINITION as PORTAL
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.kit.definition import service_definition
from tdkt_shared.runtime import Stores


def test_the_modules_give_collections_read_models_indexes_topics_and_handlers() -> None:
    assert AWARDS.name == "awards"
    assert AWARDS.collections == awards_store.COLLECTIONS
    assert AWARDS.read_models == awards_store.READ_MODELS
    assert AWARDS.indexes == awards_store.INDEXES
    assert AWARDS.consumes == awards_consumers.TOPICS
    assert AWARDS.handlers is awards_consumers.event_handlers
    assert AWARDS.buckets == (awards_store.FILES,)
    assert AWARDS.cached == (awards_store.ORGANIZATIONS, awards_store.RULE_SETS)
    assert (PORTAL.collections, PORTAL.consumes) == (portal_store.COLLECTIONS, portal_consumers.TOPICS)
    assert (PORTAL.cached, PORTAL.buckets, PORTAL.agendas, PORTAL.remembered) == ((), (), (), ())


def test_handlers_given_replace_the_consumers_modules() -> None:
    def none(_stores: Stores) -> Mapping[str, EventHandler]:
        return {}

    defined = service_definition("portal", "T", portal_store, portal_consumers, [], handlers=none, agendas=("a",))
    assert defined.handlers is none
    assert defined.agendas == ("a",)
    assert defined.routers == []
