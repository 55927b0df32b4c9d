from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tdkt_notify.store import CLUSTERS, COUNCILS, DELIVERIES, RECIPIENTS, ROLE_ASSIGNMENTS, RULES, TEMPLATES
from tdkt_shared.api import store_dependency
from tdkt_shared.auth import CurrentPrincipal, Forbidden, Principal, Role, require
from tdkt_shared.store import AggregateStore

_store = store_dependency


RulesDep = Annotated[AggregateStore, _store(RULES)]
TemplatesDep = Annotated[AggregateStore, _store(TEMPLATES)]
RecipientsDep = Annotated[AggregateStore, _store(RECIPIENTS)]
RolesDep = Annotated[AggregateStore, _store(ROLE_ASSIGNMENTS)]
DeliveriesDep = Annotated[AggregateStore, _store(DELIVERIES)]
ClustersDep = Annotated[AggregateStore, _store(CLUSTERS)]
CouncilsDep = Annotated[AggregateStore, _store(COUNCILS)]

ADMIN_ONLY = require(Role.ADMIN)
"""Rules, templates, subscribers, webhook secrets and the delivery log: operators only."""


async def recipient_only(recipient_id: str, principal: CurrentPrincipal) -> Principal:
    """Admit the recipient named in the path itself: the user (`sub`) or the organisation (`org`); admins always."""
    if principal.has() or recipient_id in (principal.subject, principal.organization_id):
        return principal
    raise Forbidden(f"{principal.subject} ({principal.organization_id}) is not {recipient_id}", field="recipient_id")


RECIPIENT_ONLY = Depends(recipient_only)
"""An inbox and a recipient's preferences: the recipient only."""
