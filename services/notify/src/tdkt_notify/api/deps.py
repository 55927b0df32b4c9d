"""What notify's routers depend on: a typed repository per aggregate, who may call, and paging."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel

from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.domain.directory import Cluster, Council, Recipient, RoleAssignment
from tdkt_notify.domain.routing import RoutingRule
from tdkt_notify.domain.templates import Template
from tdkt_notify.store import CLUSTERS, COUNCILS, DELIVERIES, RECIPIENTS, ROLE_ASSIGNMENTS, RULES, TEMPLATES
from tdkt_shared.auth import CurrentPrincipal, Forbidden, Principal, Role, require
from tdkt_shared.kit import Repository

A = TypeVar("A", bound=BaseModel)
V = TypeVar("V", bound=BaseModel)
T = TypeVar("T")


def repository(collection: str, model: type[BaseModel]) -> Any:
    """A dependency on the runtime's `collection`, as a repository of `model`."""

    async def dependency(request: Request) -> Repository[Any]:
        return Repository(request.app.state.runtime.store(collection), model)

    return Depends(dependency)


RulesDep = Annotated[Repository[RoutingRule], repository(RULES, RoutingRule)]
TemplatesDep = Annotated[Repository[Template], repository(TEMPLATES, Template)]
RecipientsDep = Annotated[Repository[Recipient], repository(RECIPIENTS, Recipient)]
RolesDep = Annotated[Repository[RoleAssignment], repository(ROLE_ASSIGNMENTS, RoleAssignment)]
DeliveriesDep = Annotated[Repository[Delivery], repository(DELIVERIES, Delivery)]
ClustersDep = Annotated[Repository[Cluster], repository(CLUSTERS, Cluster)]
CouncilsDep = Annotated[Repository[Council], repository(COUNCILS, Council)]

ADMIN_ONLY = require(Role.ADMIN)
"""Rules, templates, subscribers, webhook secrets and the delivery log: operators only."""


async def recipient_only(recipient_id: str, principal: CurrentPrincipal) -> Principal:
    """Admit the recipient named in the path itself: the user (`sub`) or the organisation (`org`); admins always."""
    if principal.has() or recipient_id in (principal.subject, principal.organization_id):
        return principal
    raise Forbidden(f"{principal.subject} ({principal.organization_id}) is not {recipient_id}", field="recipient_id")


RECIPIENT_ONLY = Depends(recipient_only)
"""An inbox and a recipient's preferences: the recipient only."""
