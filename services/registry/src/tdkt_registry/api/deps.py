from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tdkt_registry.store import ORGANIZATIONS
from tdkt_shared.store import AggregateStore


def organizations_store(request: Request) -> AggregateStore:
    store: AggregateStore = request.app.state.runtime.store(ORGANIZATIONS)
    return store


OrganizationsDep = Annotated[AggregateStore, Depends(organizations_store)]
