from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI

from tdkt_shared.api import install_error_handlers
from tdkt_shared.auth import (
    AuthSettings,
    Forbidden,
    Principal,
    Role,
    TokenVerifier,
    bearer,
    dev_headers,
    ensure_acts_for,
    issue_token,
    main,
    require,
)
from tests.helpers import loop_ticks

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


class Provider:
    """A JWKS endpoint on a local port whose key set, delay and health a test changes while it runs."""

    def __init__(self) -> None:
        self.private = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in ("k1", "k2")}
        self.published = ["k1"]
        self.fetches = 0
        self.delay_s = 0.0
        self.down = False
        self.hold: threading.Event | None = None
        """While set to an event, a fetch waits for it."""
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                time.sleep(provider.delay_s)
                if provider.hold is not None:
                    provider.hold.wait(10)
                if provider.down:
                    self.send_error(503)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(provider.key_set())

            def log_message(self, *_args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks.json"

    def key_set(self) -> bytes:
        keys = []
        for kid in self.published:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private[kid].public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return json.dumps({"keys": keys}).encode()

    def token(self, kid: str | None = "k1", subject: str = "op", signer: str = "k1") -> str:
        claims = {"sub": subject, "org": "so-noi-vu", "roles": ["registry_admin"], "iss": "idp", "aud": "tdkt"}
        headers = {"kid": kid} if kid is not None else None
        return jwt.encode({**claims, "exp": 4_000_000_000}, self.private[signer], algorithm="RS256", headers=headers)


@pytest.fixture
def idp() -> Iterator[Provider]:
    provider = Provider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    yield provider
    provider.server.shutdown()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def jwks_verifier(idp: Provider, clock: Clock | None = None) -> TokenVerifier:
    settings = AuthSettings(jwks_url=idp.url, issuer="idp", jwks_lifespan_s=300, jwks_min_refresh_s=10)
    return TokenVerifier(settings, keys_clock=clock or Clock())


async def test_operators_tokens_are_verified_against_a_jwks_url(idp: Provider) -> None:
    verifier = jwks_verifier(idp)
    assert (await verifier.principal(idp.token())).roles == frozenset({Role.REGISTRY_ADMIN})
    forged = jwt.encode(
        {"sub": "op", "org": "o", "iss": "idp", "aud": "tdkt", "exp": 4_000_000_000},
        AuthSettings().signing_key(),
        algorithm="HS256",
        headers={"kid": "k1"},
    )
    with pytest.raises(jwt.InvalidTokenError):
        await verifier.principal(forged)
    with pytest.raises(jwt.InvalidSignatureError):  # k1's id, k2's signature
        await verifier.principal(idp.token(kid="k1", signer="k2", subject="other"))
    assert idp.fetches == 1


async def test_a_token_naming_no_key_or_an_unknown_one_is_a_401_not_a_500(idp: Provider) -> None:
    app = FastAPI()
    install_error_handlers(app)
    app.state.token_verifier = jwks_verifier(idp)

    @app.get("/me")
    async def me(principal: Annotated[Principal, require(Role.REGISTRY_ADMIN)]) -> dict[str, str]:
        return {"subject": principal.subject}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answers = {kid: await client.get("/me", headers=bearer(idp.token(kid=kid))) for kid in ("k1", "k9", "", None)}
    assert answers["k1"].json() == {"subject": "op"}
    assert answers["k9"].status_code == 401
    assert answers["k9"].json()["detail"] == "invalid token: unknown signing key 'k9'"
    for kid in ("", None):
        assert answers[kid].status_code == 401
        assert answers[kid].json()["detail"] == "invalid token: the token names no signing key (kid)"


async def test_a_token_whose_algorithm_does_not_fit_its_key_is_refused(idp: Provider) -> None:
    verifier = jwks_verifier(idp)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    claims = {"sub": "x", "org": "o", "iss": "idp", "aud": "tdkt", "exp": 4_000_000_000}
    ec_signed = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "k1"})  # k1 is an RSA key
    with pytest.raises(jwt.InvalidAlgorithmError):
        await verifier.principal(ec_signed)
    assert (await verifier.principal(idp.token())).subject == "op"


async def test_made_up_key_ids_fetch_the_key_set_at_most_once_an_interval(idp: Provider) -> None:
    clock = Clock()
    verifier = jwks_verifier(idp, clock)
    await verifier.principal(idp.token())
    clock.now += 10
    made_up = [idp.token(kid=f"x{i}") for i in range(40)]
    results = await asyncio.gather(*(verifier.principal(t) for t in made_up), return_exceptions=True)
    assert all(isinstance(r, jwt.InvalidTokenError) for r in results)
    assert idp.fetches == 2  # the first key, then one fetch for the forty unknown ids
    clock.now += 9
    with pytest.raises(jwt.InvalidTokenError):
        await verifier.principal(made_up[0])
    assert idp.fetches == 2
    clock.now += 1
    with pytest.raises(jwt.InvalidTokenError):
        await verifier.principal(made_up[0])
    assert idp.fetches == 3


async def test_a_rotated_key_is_fetched_when_a_token_first_names_it(idp: Provider) -> None:
    clock = Clock()
    verifier = jwks_verifier(idp, clock)
    await verifier.principal(idp.token())
    idp.published = ["k1", "k2"]
    rotated = idp.token(kid="k2", signer="k2", subject="rotated")
    clock.now += 5
    with pytest.raises(jwt.InvalidTokenError, match="unknown signing key 'k2'"):  # fetched 5 s ago
        await verifier.principal(rotated)
    clock.now += 5
    assert (await verifier.principal(rotated)).subject == "rotated"
    assert idp.fetches == 2


async def test_a_withdrawn_key_stops_admitting_the_tokens_it_signed(idp: Provider) -> None:
    clock = Clock()
    verifier = jwks_verifier(idp, clock)
    token = idp.token()
    assert (await verifier.principal(token)).subject == "op"
    idp.published = ["k2"]  # k1 compromised: the provider withdraws it
    clock.now += 299
    assert (await verifier.principal(token)).subject == "op"  # remembered, and the set is fresh
    clock.now += 1
    assert (await verifier.principal(token)).subject == "op"  # the old set serves while the new one is fetched
    assert verifier.keys is not None
    await verifier.keys.settled()
    with pytest.raises(jwt.InvalidTokenError, match="signing key 'k1' withdrawn"):
        await verifier.principal(token)
    with pytest.raises(jwt.InvalidTokenError, match="unknown signing key 'k1'"):
        verifier.verify(token)  # not remembered any more
    assert idp.fetches == 2


async def test_the_keys_held_go_on_working_while_the_provider_is_down(idp: Provider) -> None:
    clock = Clock()
    verifier = jwks_verifier(idp, clock)
    token = idp.token()
    await verifier.principal(token)
    idp.down = True
    clock.now += 600
    for _ in range(3):
        assert (await verifier.principal(token)).subject == "op"
        assert verifier.keys is not None
        await verifier.keys.settled()
    assert idp.fetches == 2  # one failed attempt; the next waits for the interval
    with pytest.raises(jwt.InvalidTokenError, match="unknown signing key 'k2'"):
        await verifier.principal(idp.token(kid="k2", signer="k2"))
    assert (await verifier.principal(idp.token(subject="fresh"))).subject == "fresh"  # k1, not remembered before


async def test_fetching_the_key_set_does_not_stop_the_event_loop(idp: Provider) -> None:
    verifier = jwks_verifier(idp)
    idp.delay_s = 0.5
    async with loop_ticks() as ticks:
        assert (await verifier.principal(idp.token())).subject == "op"
    assert ticks() >= 10  # a blocking fetch would have let none run


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


async def test_a_stopping_service_cancels_a_fetch_in_the_background(idp: Provider) -> None:
    clock = Clock()
    verifier = jwks_verifier(idp, clock)
    await verifier.principal(idp.token())
    idp.hold = threading.Event()
    clock.now += 300
    await verifier.principal(idp.token())  # starts the background fetch, which hangs on the provider
    assert verifier.keys is not None
    try:
        await asyncio.wait_for(verifier.keys.close(), 5)  # does not wait for the provider
        await asyncio.wait_for(verifier.keys.settled(), 5)  # nothing left to wait for
    finally:
        idp.hold.set()
    assert verifier.keys.holds("k1")
