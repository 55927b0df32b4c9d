"""Calls to the four services' HTTP APIs, with the signed-in user's token (or none, for public reads)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import httpx
from httpx_aiohttp import AiohttpTransport

from tdkt_portal.settings import PortalSettings

Service = Literal["registry", "reporting", "awards", "notify"]
SERVICES: tuple[Service, ...] = ("registry", "reporting", "awards", "notify")
KEEPALIVE_S = 2.0
"""How long a connection to a service may stay idle in the pool."""


class BackendError(Exception):
    """A service refused the call (4xx) or could not answer (5xx, unreachable): shown to the user as it said."""

    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field


class Backend:
    """One HTTP client per service (a pool each); the token is the caller's, per call.

    httpx's API over aiohttp's connection pool: httpcore's own pool checks every idle connection's socket on each
    request, which took a third of the portal's CPU with a few dozen connections per service (`bench.portal`)."""

    def __init__(self, clients: Mapping[Service, httpx.AsyncClient]) -> None:
        self.clients = dict(clients)

    @classmethod
    def from_settings(cls, settings: PortalSettings) -> Backend:
        urls = {
            "registry": settings.registry_url,
            "reporting": settings.reporting_url,
            "awards": settings.awards_url,
            "notify": settings.notify_url,
        }
        # idle connections close well before uvicorn's 5 s keep-alive ends them, so none is reused as it closes
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=40, keepalive_expiry=KEEPALIVE_S)
        return cls(
            {
                name: httpx.AsyncClient(
                    base_url=urls[name], timeout=settings.api_timeout_s, transport=AiohttpTransport(limits=limits)
                )
                for name in SERVICES
            }
        )

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def call(
        self,
        method: str,
        service: Service,
        path: str,
        token: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        try:
            answer = await self.clients[service].request(method, path, params=clean, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise BackendError(503, f"dịch vụ {service} không trả lời ({type(exc).__name__})") from exc
        if answer.status_code >= 400:
            try:
                problem = answer.json()
            except ValueError:
                problem = {}
            detail = problem.get("detail") if isinstance(problem, dict) else None
            field = problem.get("field") if isinstance(problem, dict) else None
            raise BackendError(answer.status_code, str(detail or answer.reason_phrase), field)
        if not answer.content:
            return None
        try:
            return answer.json()
        except ValueError as exc:  # a proxy's HTML page with a 2xx, say
            raise BackendError(502, f"dịch vụ {service} trả lời không phải JSON") from exc

    async def open_file(self, service: Service, path: str, token: str) -> httpx.Response:
        """A file's response, its body not read yet (the caller streams it, then closes the response)."""
        request = self.clients[service].build_request("GET", path, headers={"Authorization": f"Bearer {token}"})
        try:
            answer = await self.clients[service].send(request, stream=True)
        except httpx.HTTPError as exc:
            raise BackendError(503, f"dịch vụ {service} không trả lời ({type(exc).__name__})") from exc
        if answer.status_code >= 400:
            await answer.aread()
            await answer.aclose()
            try:
                problem = answer.json()
            except ValueError:
                problem = {}
            detail = problem.get("detail") if isinstance(problem, dict) else None
            raise BackendError(answer.status_code, str(detail or answer.reason_phrase))
        return answer

    async def get(self, service: Service, path: str, token: str | None = None, **params: Any) -> Any:
        return await self.call("GET", service, path, token, params=params)

    async def post(self, service: Service, path: str, token: str, body: Any) -> Any:
        return await self.call("POST", service, path, token, body=body)

    async def put(self, service: Service, path: str, token: str, body: Any) -> Any:
        return await self.call("PUT", service, path, token, body=body)


DOSSIERS_PER_SCREEN = 500
"""The most dossiers a work screen lists over all its stages (the awards API's largest page)."""


async def dossiers_in(backend: Backend, token: str, statuses: Sequence[str]) -> dict[str, list[Any]]:
    """The dossiers in each of `statuses`, read in one call (every stage of a work queue at once)."""
    found = await backend.get("awards", "/nominations", token, status=list(statuses), limit=DOSSIERS_PER_SCREEN)
    by_status: dict[str, list[Any]] = {s: [] for s in statuses}
    for dossier in found["items"]:
        by_status.setdefault(dossier["status"], []).append(dossier)
    return by_status
