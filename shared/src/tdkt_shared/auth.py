"""Authentication (OAuth2 bearer JWTs, verified with PyJWT) and the roles authorisation is decided on.

Secure by default: a service refuses to start unless it has a real key source, either `AUTH_JWKS_URL` (an OIDC
provider's published keys, with `AUTH_ISSUER` and `AUTH_AUDIENCE` checked) or a shared HS256 key of 32 bytes or more
(`AUTH_SHARED_KEY`, or `AUTH_SHARED_KEY_FILE` for a Docker secret). The public development key works only with
`AUTH_MODE=development`, which `make run` and the tests set. A token carries the user (`sub`), the organisation the
user acts for (`org`, or the claim `AUTH_ORGANIZATION_CLAIM` names) and the user's roles (`roles`, or the dotted
path `AUTH_ROLES_CLAIM` names, e.g. Keycloak's `realm_access.roles`); roles the platform does not know are ignored.

    python -m tdkt_shared.auth issue --sub u-1 --org so-noi-vu --role tdkt_specialist   # a dev token
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Callable, Collection
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import jwt
from cachetools import TLRUCache
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tdkt_shared.errors import DomainError

DEV_SHARED_KEY = "tdkt-dev-only-shared-key-change-me-000000"
DEV_ISSUER = "tdkt-dev"
"""The issuer of the tokens this platform signs itself (a shared key); an OIDC provider has its own."""


class Role(StrEnum):
    UNIT_OFFICER = "unit_officer"
    """Acts for its own organisation (and its successor after a merger)."""
    TDKT_SPECIALIST = "tdkt_specialist"
    """Staff of the TĐKT body (Sở Nội vụ / Ban TĐKT): receives, appraises and returns dossiers."""
    COUNCIL_MEMBER = "council_member"
    COUNCIL_SECRETARY = "council_secretary"
    LEADER = "leader"
    """The head of the competent authority, or the deputy they delegate to (lãnh đạo, người có thẩm quyền quyết
    định khen thưởng: Chủ tịch UBND tỉnh/xã, Giám đốc Sở, Bộ trưởng...): reads the dossiers and their documents and
    signs the decision (quyết định khen thưởng); takes none of the TĐKT body's other steps."""
    PRESS_OFFICER = "press_officer"
    INSPECTION_OFFICER = "inspection_officer"
    """Keeps discipline, inspection, investigation, complaint and denunciation cases (Ủy ban kiểm tra, Thanh tra,
    Hội đồng kỷ luật): opens, concludes and withdraws them."""
    INITIATIVE_OFFICER = "initiative_officer"
    """Records the initiatives and scientific works a competent body recognised (Hội đồng sáng kiến, Sở KH&CN)."""
    REGISTRY_ADMIN = "registry_admin"
    ADMIN = "admin"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1)
    organization_id: str = Field(min_length=1)
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    def acts_for(self, organization_id: str, lineage: Collection[str] = ()) -> bool:
        """True when the principal's organisation is `organization_id` or in its lineage (its predecessors and
        successors across mergers, splits and renames), so a merged unit's officers keep acting for its dossiers."""
        return self.organization_id == organization_id or self.organization_id in lineage


class Forbidden(DomainError):
    """The principal is authenticated but may not do this (403). Raised before anything is written."""

    status = 403
    code = "forbidden"


def ensure_acts_for(
    principal: Principal,
    organization_id: str,
    lineage: Collection[str] = (),
    *,
    field: str = "organization_id",
    any_org: Collection[Role] = (),
) -> None:
    """Admit `principal` to act for `organization_id`: admins and holders of an `any_org` role always, everyone else
    only for their own organisation or one in its lineage."""
    if principal.has(*any_org) or principal.acts_for(organization_id, lineage):
        return
    raise Forbidden(f"{principal.subject} acts for {principal.organization_id}, not for {organization_id}", field=field)


MIN_KEY_BYTES = 32


class AuthConfigError(ValueError):
    """The service has no usable key source: it must not start."""


class AuthSettings(BaseSettings):
    """How tokens are verified, from `AUTH_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    mode: Literal["production", "development"] = "production"
    """`development` admits the public development key; never set it on a deployment."""
    shared_key: str | None = Field(default=None, repr=False)
    shared_key_file: Path | None = None
    """A file holding the shared key (a Docker secret: /run/secrets/...)."""
    jwks_url: str | None = None
    issuer: str = DEV_ISSUER
    audience: str = "tdkt"
    organization_claim: str = "org"
    roles_claim: str = "roles"
    """A dotted path into the claims, e.g. `realm_access.roles` (Keycloak realm roles)."""
    leeway_s: int = Field(default=30, ge=0, le=300)
    jwks_lifespan_s: float = Field(default=300, ge=10, le=86_400)
    """How long the provider's key set is used before it is fetched again (a withdrawn key stops working then)."""
    jwks_min_refresh_s: float = Field(default=10, ge=1, le=3600)
    """A token naming a key not in the set fetches it again at most this often (a flood of made-up ids cannot
    flood the provider)."""

    @model_validator(mode="after")
    def _has_a_key_source(self) -> Self:
        if self.shared_key is None and self.shared_key_file is not None:
            try:
                self.shared_key = self.shared_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise AuthConfigError(f"AUTH_SHARED_KEY_FILE {self.shared_key_file} cannot be read: {exc}") from exc
        if self.mode == "development":
            self.shared_key = self.shared_key or DEV_SHARED_KEY
            return self
        if self.jwks_url:
            if "issuer" not in self.model_fields_set or self.issuer == DEV_ISSUER:
                raise AuthConfigError("AUTH_JWKS_URL needs AUTH_ISSUER (the identity provider's issuer)")
            return self
        if not self.shared_key:
            raise AuthConfigError(
                "no key source: set AUTH_JWKS_URL (with AUTH_ISSUER and AUTH_AUDIENCE), or AUTH_SHARED_KEY or "
                "AUTH_SHARED_KEY_FILE (32 bytes or more); AUTH_MODE=development admits the development key"
            )
        if self.shared_key == DEV_SHARED_KEY:
            raise AuthConfigError("the development key is public: it works only with AUTH_MODE=development")
        if len(self.shared_key.encode()) < MIN_KEY_BYTES:
            raise AuthConfigError(f"AUTH_SHARED_KEY must be {MIN_KEY_BYTES} bytes or more")
        return self

    def signing_key(self) -> str:
        if self.shared_key is None:
            raise AuthConfigError("this deployment verifies tokens against AUTH_JWKS_URL and has no shared key")
        return self.shared_key


def load_auth_settings() -> AuthSettings:
    """The settings from the environment; AuthConfigError (with what to set) when there is no key source."""
    try:
        return AuthSettings()
    except ValidationError as exc:
        raise AuthConfigError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from exc


def signing_problem(who: str) -> str | None:
    """Why a tool (`who`: the seed, the demo) cannot sign its requests with the services' key, or None."""
    try:
        load_auth_settings()
    except AuthConfigError as exc:
        return (
            f"{who} signs its requests with the services' key: {exc}. "
            "Against `make run`'s services, run it with AUTH_MODE=development."
        )
    return None


def claim(claims: dict[str, Any], path: str) -> Any:
    """The value at a dotted path in the claims, or None."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def known_roles(value: Any) -> list[Role]:
    """The platform's roles among a token's roles; other roles (an identity provider's own) are ignored."""
    names = value if isinstance(value, list) else []
    return [Role(r) for r in names if isinstance(r, str) and r in Role._value2member_map_]


VERIFIED_TOKENS = 4096
"""Verified tokens a process remembers (a few hundred bytes each), each until its `exp`."""

log = logging.getLogger(__name__)


class UnknownSigningKey(jwt.InvalidTokenError):
    """The token names a key the provider's set, as held now, does not have."""


class ProviderKeys:
    """An OIDC provider's signing keys (its JWKS), held in memory so that checking a token never waits on the
    network. The set is fetched off the event loop by `refresh`: when it is older than its lifespan, and when a
    token names a key id it lacks (a rotation), at most once every `min_refresh_s`. A failed fetch keeps the last
    set."""

    def __init__(
        self, url: str, lifespan_s: float, min_refresh_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, cache_keys=False, timeout=5)
        self._lifespan_s = lifespan_s
        self._min_refresh_s = min_refresh_s
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._tried_at: float | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None

    def key(self, kid: str) -> jwt.PyJWK:
        """The key with id `kid` in the set held now; InvalidTokenError when it has none."""
        if (key := self._keys.get(kid)) is None:
            raise UnknownSigningKey(f"unknown signing key {kid[:64]!r}")
        return key

    def holds(self, kid: str) -> bool:
        return kid in self._keys

    def stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._lifespan_s

    async def refresh(self, wanted: str) -> None:
        """Bring the set up to date for a token signed with key `wanted`: a missing key is waited for; a set past
        its lifespan is fetched in the background while the keys held go on working."""
        if wanted not in self._keys:
            await self._fetch(wanted)
        elif self.stale() and (self._background is None or self._background.done()):
            self._background = asyncio.get_running_loop().create_task(self._fetch(None))

    async def settled(self) -> None:
        """Wait for the background fetch, if one is running."""
        if self._background is not None:
            await self._background

    async def close(self) -> None:
        """Stop a background fetch (the service is stopping)."""
        task, self._background = self._background, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task])

    async def _fetch(self, wanted: str | None) -> None:
        async with self._lock:  # one fetch at a time; who waited finds the set it brought
            due = self.stale() or (wanted is not None and wanted not in self._keys)
            if not due or (self._tried_at is not None and self._clock() - self._tried_at < self._min_refresh_s):
                return
            self._tried_at = self._clock()
            try:
                keys = await asyncio.to_thread(self._client.get_signing_keys, True)
            except (jwt.PyJWTError, ValueError) as exc:  # unreachable, not JSON, or no usable key
                log.warning("the provider's key set could not be fetched (keeping %d keys): %s", len(self._keys), exc)
                return
            self._keys = {k.key_id: k for k in keys if k.key_id}
            self._fetched_at = self._clock()


class TokenVerifier:
    """Checks a bearer token's signature and claims once: a token already verified gives its principal from memory
    until its expiry (a client sends the same token with every request until it expires), or until the provider
    withdraws the key that signed it."""

    def __init__(
        self,
        settings: AuthSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
        keys_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or load_auth_settings()
        self.keys = (
            ProviderKeys(
                self.settings.jwks_url,
                self.settings.jwks_lifespan_s,
                self.settings.jwks_min_refresh_s,
                clock=keys_clock,
            )
            if self.settings.jwks_url
            else None
        )
        self._verified: TLRUCache[str, tuple[Principal, float, str]] = TLRUCache(
            VERIFIED_TOKENS, ttu=lambda _token, entry, _now: entry[1], timer=clock
        )

    async def principal(self, token: str) -> Principal:
        """`verify`, after bringing the provider's key set up to date for this token (off the event loop)."""
        if self.keys is not None:
            await self.keys.refresh(wanted=_key_id(token))
        return self.verify(token)

    def verify(self, token: str) -> Principal:
        """The token's principal, with the keys held now; raises jwt.InvalidTokenError on any defect."""
        if (known := self._verified.get(token)) is not None:
            principal, _expires, kid = known
            if self.keys is None or self.keys.holds(kid):
                return principal
            del self._verified[token]
            raise jwt.InvalidTokenError(f"signing key {kid!r} withdrawn by the provider")
        principal, expires, kid = self._decode(token)
        self._verified[token] = (principal, expires, kid)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float, str]:
        kid = ""
        if self.keys is not None:
            kid = _key_id(token)
            key: Any = self.keys.key(kid)  # the JWK itself: its type must match the token's `alg`
            algorithms = ["RS256", "ES256"]
        else:
            key, algorithms = self.settings.signing_key(), ["HS256"]
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=self.settings.audience,
            issuer=self.settings.issuer,
            leeway=self.settings.leeway_s,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
        try:
            principal = Principal(
                subject=claims["sub"],
                organization_id=claim(claims, self.settings.organization_claim) or "",
                roles=known_roles(claim(claims, self.settings.roles_claim)),
            )
            return principal, float(claims["exp"]), kid
        except ValidationError as exc:
            raise jwt.InvalidTokenError(f"bad claims: {exc.errors()[0]['msg']}") from exc


def _key_id(token: str) -> str:
    """The `kid` of the token's header; InvalidTokenError for a token that has none or is not a JWT."""
    kid = jwt.get_unverified_header(token).get("kid")
    if not isinstance(kid, str) or not kid:
        raise jwt.InvalidTokenError("the token names no signing key (kid)")
    return kid


def issue_token(
    subject: str,
    organization_id: str,
    roles: list[Role],
    *,
    settings: AuthSettings | None = None,
    ttl_s: int = 3600,
    now: float | None = None,
) -> str:
    """A token signed with the shared key (the development key in development mode)."""
    settings = settings or load_auth_settings()
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": subject,
        "org": organization_id,
        "roles": [r.value for r in roles],
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    return jwt.encode(claims, settings.signing_key(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


def _verifier(request: Request) -> TokenVerifier:
    verifier = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        verifier = request.app.state.token_verifier = TokenVerifier()
    return verifier


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    try:
        return await _verifier(request).principal(credentials.credentials)
    except jwt.InvalidTokenError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, f"invalid token: {exc}", {"WWW-Authenticate": "Bearer"}
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The principal on a public route: None without a token, 401 for a token that does not verify."""
    return None if credentials is None else await current_principal(request, credentials)


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require(*roles: Role) -> Any:
    """A dependency admitting a principal with one of `roles` (admins always):
    `principal: Annotated[Principal, require(Role.COUNCIL_MEMBER)]`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"requires one of: {', '.join(sorted(roles))}")
        return principal

    return Depends(check)


def bearer(token: str) -> dict[str, str]:
    """The HTTP header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}


def dev_headers(*roles: Role, organization_id: str = "ubnd-tinh-bac-kan", subject: str | None = None) -> dict[str, str]:
    """Headers with a development token, for tests, the demo and the benchmarks."""
    roles = roles or (Role.ADMIN,)
    return bearer(issue_token(subject or f"dev-{'-'.join(roles)}", organization_id, list(roles)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tdkt_shared.auth", description="Issue a development token")
    sub = parser.add_subparsers(dest="command", required=True)
    issue = sub.add_parser("issue")
    issue.add_argument("--sub", required=True)
    issue.add_argument("--org", required=True)
    issue.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    issue.add_argument("--ttl", type=int, default=8 * 3600)
    args = parser.parse_args(argv)
    print(issue_token(args.sub, args.org, [Role(r) for r in args.role], ttl_s=args.ttl))


if __name__ == "__main__":
    main()
