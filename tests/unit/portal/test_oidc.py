"""OIDC sign-in (authorization-code flow, Authlib) against a small identity provider served on a local port: the
portal sends the browser to the provider, takes the code back, exchanges it and keeps the access token."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form

from tdkt_portal.backend import SERVICES, Backend
from tdkt_portal.service import DEFINITION, create_portal
from tdkt_portal.settings import PortalSettings
from tdkt_shared.auth import AuthSettings, Role, TokenVerifier, issue_token
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.notify.local_servers import free_port


def development_token(subject: str) -> str:
    return issue_token(subject, "so-y-te", [Role.UNIT_OFFICER])


def provider(base: str, codes: dict[str, str], sign: Callable[[str], str] = development_token) -> FastAPI:
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
        access = sign(subject)
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


def oidc_portal(base: str, public_url: str = "http://portal") -> FastAPI:
    settings = PortalSettings(
        oidc_discovery_url=f"{base}/.well-known/openid-configuration",
        oidc_client_id="tdkt-portal",
        oidc_client_secret="secret",
        public_url=public_url,
    )
    nowhere = PortalSettings.model_validate({f"{name}_url": "http://127.0.0.1:9" for name in SERVICES})  # no names
    return create_portal(InMemoryRuntime(DEFINITION), settings, Backend.from_settings(nowhere))


async def signed_in(browser: httpx.AsyncClient, code: str) -> None:
    """The browser goes through the provider's sign-in (the provider knows `code`) and back."""
    sent = await browser.get("/dang-nhap")
    state = parse_qs(urlparse(sent.headers["location"]).query)["state"][0]
    back = await browser.get("/dang-nhap/oidc", params={"code": code, "state": state})
    assert back.status_code == 303, back.text


@pytest.mark.timeout(60)
async def test_the_code_flow_signs_the_user_in_with_the_providers_token() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    codes = {"code-1": "ha"}
    portal = oidc_portal(base)
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


@pytest.mark.timeout(60)
async def test_a_providers_rs256_token_is_checked_against_its_published_keys_also_after_a_restart() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    fetches: list[str] = []

    def sign(subject: str) -> str:
        claims = {"sub": subject, "org": "so-y-te", "roles": ["unit_officer"], "iss": "idp", "aud": "tdkt"}
        return jwt.encode({**claims, "exp": int(time.time()) + 3600}, key, algorithm="RS256", headers={"kid": "k1"})

    idp = provider(base, {"code-1": "ha"}, sign)

    @idp.get("/jwks")
    async def jwks() -> dict[str, object]:
        fetches.append("jwks")
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    portal = oidc_portal(base)
    settings = AuthSettings(jwks_url=f"{base}/jwks", issuer="idp")
    portal.state.token_verifier = TokenVerifier(settings)
    async with (
        serving(idp, port),
        LifespanManager(portal) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://portal") as browser,
    ):
        await signed_in(browser, "code-1")
        assert "ha · so-y-te" in (await browser.get("/vinh-danh")).text
        assert fetches == ["jwks"]  # fetched at sign-in, once
        portal.state.token_verifier = TokenVerifier(settings)  # a restarted portal: the same cookie, no keys yet
        assert "ha · so-y-te" in (await browser.get("/vinh-danh")).text
        officer_home = await browser.get("/don-vi")  # past the role check: not sent to sign in (303) again;
        assert officer_home.status_code == 503  # the services behind the page do not run in this test
        assert fetches == ["jwks", "jwks"]


@pytest.mark.timeout(60)
async def test_an_unreachable_provider_gets_a_503_page_and_a_bad_answer_a_502() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    portal = oidc_portal(base)
    async with (
        LifespanManager(portal) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://portal") as browser,
    ):
        down = await browser.get("/dang-nhap")  # nothing listens on the provider's port
        assert down.status_code == 503
        assert "Máy chủ định danh không trả lời." in down.text
        async with serving(provider(base, {}), port):
            sent = await browser.get("/dang-nhap")
            assert sent.status_code == 302
            state = parse_qs(urlparse(sent.headers["location"]).query)["state"][0]
            unknown = await browser.get("/dang-nhap/oidc", params={"code": "never-issued", "state": state})
        assert unknown.status_code == 502  # the token endpoint failed (500) on a code it never issued
        assert "Máy chủ định danh trả lời không hợp lệ." in unknown.text


@pytest.mark.timeout(60)
async def test_the_session_cookie_is_secure_when_the_portal_is_reached_over_https() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for public_url, secure in (("https://tdkt.example.vn", True), ("http://portal", False)):
        portal = oidc_portal(base, public_url)
        async with (
            serving(provider(base, {}), port),
            LifespanManager(portal) as manager,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://portal") as browser,
        ):
            sent = await browser.get("/dang-nhap")
        cookie = sent.headers["set-cookie"].lower()
        assert cookie.startswith("tdkt_portal=")
        assert ("; secure" in cookie) is secure, cookie
    explicit = PortalSettings(public_url="https://tdkt.example.vn", session_https_only=False)
    assert not explicit.secure_cookie  # TLS ends before the portal and the operator says so
