"""The portal for schemathesis: in memory, over the four services' apps (in memory too); its passes act through a
signed-in session and the session's CSRF token, as a browser does (the portal reads no bearer token)."""

from __future__ import annotations

import asyncio
import functools
import re

import httpx
from fastapi import FastAPI

from tdkt_portal.backend import SERVICES, Backend
from tdkt_portal.service import DEFINITION, create_portal
from tdkt_portal.settings import PortalSettings
from tdkt_shared.runtime import InMemoryRuntime, create_app, definitions


@functools.cache
def portal_app() -> FastAPI:
    clients = {
        name: httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(definitions()[name], InMemoryRuntime(definitions()[name]))),
            base_url=f"http://{name}",
        )
        for name in SERVICES
    }
    return create_portal(InMemoryRuntime(DEFINITION), PortalSettings(), Backend(clients))


@functools.cache
def session_headers(*roles: str) -> dict[str, str]:
    """A session cookie for a development sign-in with `roles`, and its CSRF token as htmx sends it."""
    return asyncio.run(_sign_in(roles)) if roles else {}


async def _sign_in(roles: tuple[str, ...]) -> dict[str, str]:
    transport = httpx.ASGITransport(app=portal_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        page = (await client.get("/dang-nhap")).text
        form = {"csrf_token": _csrf(page), "subject": "fuzz", "organization_id": "so-noi-vu-bac-kan", "role": roles}
        assert (await client.post("/dang-nhap", data=form)).status_code == 303
        csrf = _csrf((await client.get("/vinh-danh")).text)
        return {"Cookie": f"tdkt_portal={client.cookies['tdkt_portal']}", "X-CSRF-Token": csrf}


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)
