from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tdkt_notify.store import CLUSTERS, COUNCILS, DELIVERIES, RECIPIENTS, ROLE_ASSIGNMENTS, RULES, TEMPLATES
from tdkt_shared.store import AggregateStore


def _store(name: str) -> object:
    def dependency(request: Request) -> AggregateStore:
        store: AggregateStore = request.app.state.runtime.store(name)
        return store

    return Depends(dependency)


RulesDep = Annotated[AggregateStore, _store(RULES)]
TemplatesDep = Annotated[AggregateStore, _store(TEMPLATES)]
RecipientsDep = Annotated[AggregateStore, _store(RECIPIENTS)]
RolesDep = Annotated[AggregateStore, _store(ROLE_ASSIGNMENTS)]
DeliveriesDep = Annotated[AggregateStore, _store(DELIVERIES)]
ClustersDep = Annotated[AggregateStore, _store(CLUSTERS)]
CouncilsDep = Annotated[AggregateStore, _store(COUNCILS)]
