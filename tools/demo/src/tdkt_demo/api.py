"""The four services' HTTP APIs as the scenario calls them: where they are, who calls, and how a call settles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tdkt_demo.events import EventLog, ScenarioError, eventually
from tdkt_shared.auth import Role, dev_headers

Json = dict[str, Any]


@dataclass(frozen=True)
class Endpoints:
    registry: str = "http://127.0.0.1:8001"
    reporting: str = "http://127.0.0.1:8002"
    awards: str = "http://127.0.0.1:8003"
    notify: str = "http://127.0.0.1:8004"
    bootstrap: str = "127.0.0.1:9092"


@dataclass(frozen=True)
class Who:
    """Who makes a request, per docs/authorization.md: one role, the organisation acted for, the user (`sub`)."""

    role: Role
    organization_id: str
    subject: str

    def headers(self) -> dict[str, str]:
        """A development bearer token; `X-Organization-Id` says the same organisation to services that read it."""
        token = dev_headers(self.role, organization_id=self.organization_id, subject=self.subject)
        return {**token, "X-Organization-Id": self.organization_id}

    def acting(self) -> Json:
        """The `actor` and `organization_id` a workflow step's body names."""
        return {"actor": self.subject, "organization_id": self.organization_id}


class Service:
    """One service's API, called over `client`; `log` tells when a change's event reached the bus."""

    def __init__(self, client: httpx.AsyncClient, log: EventLog) -> None:
        self.client, self.log = client, log

    async def call(
        self,
        method: str,
        url: str,
        body: Json | None = None,
        *,
        who: Who | None = None,
        settle: str | None = None,
        expect: int | None = None,
    ) -> Json:
        """One API call as `who` (anonymous reads of public resources without). With `settle` (an aggregate key),
        wait until the change's event is on the bus before the next change of that aggregate, so each step of the
        summary shows its own events. With `expect`, the call must answer that status (a refusal the step shows)."""
        before = self.log.count(settle) if settle else 0
        headers = who.headers() if who else {}
        response = await self.client.request(method, url, json=body, headers=headers)
        if expect is not None:
            if response.status_code != expect:
                raise ScenarioError(f"{method} {url}: {response.status_code}, expected {expect}: {response.text[:500]}")
            refused: Json = response.json()
            return refused
        if not response.is_success:
            raise ScenarioError(f"{method} {self.client.base_url}{url}: {response.status_code} {response.text[:500]}")
        result: Json = response.json() if response.content else {}
        if settle:

            async def published() -> bool:
                return self.log.count(settle) > before

            await eventually(published, what=f"the event of {method} {url} on the bus")
        return result

    async def import_csv(self, url: str, text: str, who: Who) -> Json:
        """A CSV import as `who`; the import's report (a refused row fails the scenario)."""
        headers = {**who.headers(), "content-type": "text/csv"}
        response = await self.client.post(url, content=text.encode(), headers=headers)
        if not response.is_success:
            raise ScenarioError(f"POST {self.client.base_url}{url}: {response.status_code} {response.text[:500]}")
        report: Json = response.json()
        if report.get("errors"):
            raise ScenarioError(f"POST {url}: refused rows {report['errors']}")
        return report

    async def upload(self, url: str, data: bytes, who: Who, *, settle: str, **params: Any) -> Json:
        """A file as the request's body (its kind is detected from the bytes), settled like a change."""
        before = self.log.count(settle)
        headers = {**who.headers(), "content-type": "application/octet-stream"}
        response = await self.client.post(url, params=params, content=data, headers=headers)
        if not response.is_success:
            raise ScenarioError(f"POST {self.client.base_url}{url}: {response.status_code} {response.text[:500]}")

        async def published() -> bool:
            return self.log.count(settle) > before

        await eventually(published, what=f"the event of POST {url} on the bus")
        result: Json = response.json()
        return result

    async def act(
        self, collection: str, aggregate_id: str, action: str, body: Json, who: Who, *, method: str = "POST"
    ) -> Json:
        """A change of one aggregate at `/<collection>/<id>/<action>`, settled on the aggregate's id."""
        url = f"/{collection}/{aggregate_id}/{action}"
        return await self.call(method, url, body, who=who, settle=aggregate_id)

    async def get(self, url: str, who: Who | None = None, **params: Any) -> Json | None:
        """A read that may not have happened yet (read models fill from the bus): the body on 200, else None."""
        response = await self.client.get(url, params=params or None, headers=who.headers() if who else {})
        return response.json() if response.status_code == 200 else None

    async def found(self, url: str, what: str, who: Who | None = None) -> Json:
        """Wait until a read answers 200."""
        return await eventually(lambda: self.get(url, who), what=what)


@dataclass(frozen=True)
class Services:
    registry: Service
    reporting: Service
    awards: Service
    notify: Service


@asynccontextmanager
async def connected(endpoints: Endpoints, log: EventLog) -> AsyncIterator[Services]:
    """A client per service for the length of the block."""
    async with AsyncExitStack() as stack:

        async def service(base_url: str) -> Service:
            client = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=30))
            return Service(client, log)

        yield Services(
            registry=await service(endpoints.registry),
            reporting=await service(endpoints.reporting),
            awards=await service(endpoints.awards),
            notify=await service(endpoints.notify),
        )
