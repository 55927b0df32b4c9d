from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from tdkt_shared.api import install_error_handlers
from tdkt_shared.auth import (
    AuthSettings,
    Forbidden,
    Principal,
    Role,
    TokenVerifier,
    dev_headers,
    ensure_acts_for,
    issue_token,
    main,
    require,
)

NOW = 1_760_000_000


def test_a_dev_token_round_trips_to_its_principal() -> None:
    token = issue_token("u-1", "so-noi-vu", [Role.TDKT_SPECIALIST, Role.COUNCIL_MEMBER])
    assert TokenVerifier().verify(token) == Principal(
        subject="u-1", organization_id="so-noi-vu", roles=frozenset({Role.TDKT_SPECIALIST, Role.COUNCIL_MEMBER})
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: issue_token("u", "o", [Role.ADMIN], now=NOW, ttl_s=60), "expired"),
        (lambda: issue_token("u", "o", [Role.ADMIN], settings=AuthSettings(audience="other")), "Audience"),
        (lambda: issue_token("u", "o", [Role.ADMIN], settings=AuthSettings(issuer="evil")), "issuer"),
        (lambda: issue_token("u", "o", [Role.ADMIN], settings=AuthSettings(shared_key="x" * 40)), "Signature"),
        (
            lambda: jwt.encode(
                {"sub": "u", "roles": ["king"], "iss": "tdkt-dev", "aud": "tdkt", "exp": 4_000_000_000},
                AuthSettings().signing_key(),
            ),
            "bad claims",
        ),
        (lambda: jwt.encode({"sub": "u", "iss": "tdkt-dev", "aud": "tdkt"}, AuthSettings().signing_key()), "exp"),
    ],
)
def test_defective_tokens_are_refused(make: object, message: str) -> None:
    with pytest.raises(jwt.InvalidTokenError, match=message):
        TokenVerifier().verify(make())  # type: ignore[operator]


def test_admins_pass_every_role_check() -> None:
    admin = Principal(subject="a", organization_id="o", roles=frozenset({Role.ADMIN}))
    officer = Principal(subject="b", organization_id="o", roles=frozenset({Role.UNIT_OFFICER}))
    assert admin.has(Role.COUNCIL_MEMBER)
    assert not officer.has(Role.COUNCIL_MEMBER)
    assert officer.has(Role.COUNCIL_MEMBER, Role.UNIT_OFFICER)


async def test_the_dependency_gives_401_403_and_admits_the_right_role() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/votes")
    async def vote(principal: Annotated[Principal, require(Role.COUNCIL_MEMBER)]) -> dict[str, str]:
        return {"voter": principal.subject}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.post("/votes")
        assert missing.status_code == 401
        assert missing.json() == {"error": "unauthorized", "detail": "a bearer token is required", "field": None}
        assert missing.headers["www-authenticate"] == "Bearer"
        garbage = await client.post("/votes", headers={"Authorization": "Bearer not.a.jwt"})
        assert garbage.status_code == 401
        officer = issue_token("u-2", "ubnd-xa", [Role.UNIT_OFFICER])
        forbidden = await client.post("/votes", headers={"Authorization": f"Bearer {officer}"})
        assert (forbidden.status_code, forbidden.json()["error"]) == (403, "forbidden")
        member = issue_token("u-3", "hd-tdkt-tinh", [Role.COUNCIL_MEMBER])
        allowed = await client.post("/votes", headers={"Authorization": f"Bearer {member}"})
        assert (allowed.status_code, allowed.json()) == (200, {"voter": "u-3"})


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    server.shutdown()


def test_operators_tokens_are_verified_against_a_jwks_url(jwks_server: tuple[str, rsa.RSAPrivateKey]) -> None:
    url, key = jwks_server
    claims = {
        "sub": "op",
        "org": "so-noi-vu",
        "roles": ["registry_admin"],
        "iss": "idp",
        "aud": "tdkt",
        "exp": 4_000_000_000,
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    verifier = TokenVerifier(AuthSettings(jwks_url=url, issuer="idp"))
    assert verifier.verify(token).roles == frozenset({Role.REGISTRY_ADMIN})
    forged = jwt.encode(claims, AuthSettings().signing_key(), algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(jwt.InvalidTokenError):
        verifier.verify(forged)


def test_the_dev_command_prints_a_valid_token(capsys: pytest.CaptureFixture[str]) -> None:
    main(["issue", "--sub", "u-9", "--org", "bao-bac-kan", "--role", "press_officer"])
    principal = TokenVerifier().verify(capsys.readouterr().out.strip())
    assert (principal.subject, principal.organization_id, principal.roles) == (
        "u-9",
        "bao-bac-kan",
        frozenset({Role.PRESS_OFFICER}),
    )


def test_a_unit_officer_acts_for_its_own_organisation_and_its_lineage_only() -> None:
    officer = Principal(subject="u", organization_id="so-tttt-bac-kan", roles=frozenset({Role.UNIT_OFFICER}))
    ensure_acts_for(officer, "so-tttt-bac-kan")
    ensure_acts_for(officer, "so-khcn-thai-nguyen", lineage={"so-tttt-bac-kan", "so-khcn-bac-kan"})
    with pytest.raises(Forbidden) as caught:
        ensure_acts_for(officer, "so-y-te-bac-kan", lineage={"so-y-te-thai-nguyen"}, field="proposer_id")
    assert (caught.value.status, caught.value.code, caught.value.field) == (403, "forbidden", "proposer_id")


def test_admins_and_any_org_roles_act_for_every_organisation() -> None:
    admin = Principal(subject="a", organization_id="x", roles=frozenset({Role.ADMIN}))
    specialist = Principal(subject="s", organization_id="so-noi-vu", roles=frozenset({Role.TDKT_SPECIALIST}))
    ensure_acts_for(admin, "anything")
    ensure_acts_for(specialist, "so-y-te", any_org={Role.TDKT_SPECIALIST})
    with pytest.raises(Forbidden):
        ensure_acts_for(specialist, "so-y-te", any_org={Role.REGISTRY_ADMIN})


def test_dev_headers_carry_a_verifiable_token() -> None:
    header = dev_headers(Role.COUNCIL_MEMBER, organization_id="so-noi-vu", subject="m-1")["Authorization"]
    assert header.startswith("Bearer ")
    principal = TokenVerifier().verify(header.removeprefix("Bearer "))
    assert (principal.subject, principal.organization_id, principal.roles) == (
        "m-1",
        "so-noi-vu",
        frozenset({Role.COUNCIL_MEMBER}),
    )


def test_a_verified_token_is_not_checked_again_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token: str, *args: object, **kwargs: object) -> object:
        decoded.append(token)
        return real_decode(token, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting_decode)
    now = [float(time.time())]
    verifier = TokenVerifier(clock=lambda: now[0])
    token = issue_token("u-1", "so-noi-vu", [Role.UNIT_OFFICER], ttl_s=600, now=now[0])
    other = issue_token("u-2", "so-noi-vu", [Role.UNIT_OFFICER], ttl_s=600, now=now[0])

    first = verifier.verify(token)
    assert [verifier.verify(token) for _ in range(3)] == [first] * 3
    assert verifier.verify(other).subject == "u-2"
    assert decoded == [token, other]  # once each

    now[0] += 599
    verifier.verify(token)
    assert decoded == [token, other]
    now[0] += 1  # its exp: checked again (and refused by jwt once the real clock gets there)
    assert verifier.verify(token) == first
    assert decoded == [token, other, token]


def test_a_refused_token_is_refused_every_time() -> None:
    verifier = TokenVerifier()
    token = issue_token("u-1", "so-noi-vu", [Role.UNIT_OFFICER], ttl_s=60, now=NOW)  # expired long ago
    for _ in range(2):
        with pytest.raises(jwt.ExpiredSignatureError):
            verifier.verify(token)
