"""OIDC sign-in (authorization-code flow, Authlib) against a small identity provider served on a local port: the
portal sends the browser to the provider, takes the code back, exchanges it and keeps the access token."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Form

from tdkt_portal.backend import SERVICES, Backend
from tdkt_portal.service import DEFINITION, create_portal
from tdkt_portal.settings import PortalSettings
from tdkt_shared.auth import Role, issue_token
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.notify.local_servers import free_port


def provider(base: str, codes: dict[str, str]) -> FastAPI:
    """Discovery, and a token endpoint that trades a known code for an access token the services would accept."""
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, str]:
        return {
            "issuer": "tdkt-dev",
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
        }

    @app.post("/token")
    async def token(
        code: str = Form(), grant_type: str = Form(), client_id: str | None = Form(None)
    ) -> dict[str, object]:
        assert grant_type == "authorization_code"
        subject = codes.pop(code)  # a code works once
        access = issue_token(subject, "so-y-te", [Role.UNIT_OFFICER])
        return {"access_token": access, "token_type": "Bearer", "expires_in": 3600}

    return app


@contextlib.asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(1000):
            if server.started:
                break
            await asyncio.sleep(0.01)
        yield
    finally:
        server.should_exit = True
        await task


@pytest.mark.timeout(60)
async def test_the_code_flow_signs_the_user_in_with_the_providers_token() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    codes = {"code-1": "ha"}
    settings = PortalSettings(
        oidc_discovery_url=f"{base}/.well-known/openid-configuration",
        oidc_client_id="tdkt-portal",
        oidc_client_secret="secret",
        public_url="http://portal",
    )
    nowhere = PortalSettings.model_validate({f"{name}_url": "http://127.0.0.1:9" for name in SERVICES})  # no names
    portal = create_portal(InMemoryRuntime(DEFINITION), settings, Backend.from_settings(nowhere))
    async with (
        serving(provider(base, codes), port),
        LifespanManager(portal) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://portal") as browser,
    ):
        sent = await browser.get("/dang-nhap", params={"next": "/don-vi"})
        assert sent.status_code == 302
        target = urlparse(sent.headers["location"])
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{base}/authorize"
        query = parse_qs(target.query)
        assert query["client_id"] == ["tdkt-portal"]
        assert query["redirect_uri"] == ["http://portal/dang-nhap/oidc"]
        assert query["response_type"] == ["code"]

        forged = await browser.get("/dang-nhap/oidc", params={"code": "code-1", "state": "not-the-state"})
        assert forged.status_code == 401  # a state the session did not start is refused
        back = await browser.get("/dang-nhap/oidc", params={"code": "code-1", "state": query["state"][0]})
        assert back.status_code == 303, back.text
        assert back.headers["location"] == "/don-vi"
        assert codes == {}
        home = await browser.get("/vinh-danh")
        assert "ha · so-y-te" in home.text  # signed in as the provider said
        # no development form when a provider is configured
        assert "Tên đăng nhập" not in (await browser.get("/dang-nhap")).text
