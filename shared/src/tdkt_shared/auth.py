"""Authentication (OAuth2 bearer JWTs, verified with PyJWT) and the roles authorisation is decided on.

Development signs tokens with a shared HS256 key (`AUTH_SHARED_KEY`); operators point `AUTH_JWKS_URL` at their
identity provider and tokens are verified against its published keys. A token carries the user (`sub`), the
organisation the user acts for (`org`) and the user's roles (`roles`).

    python -m tdkt_shared.auth issue --sub u-1 --org so-noi-vu --role tdkt_specialist   # a dev token
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Collection
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from tdkt_shared.errors import DomainError

DEV_SHARED_KEY = "tdkt-dev-only-shared-key-change-me-000000"


class Role(StrEnum):
    UNIT_OFFICER = "unit_officer"
    """Acts for its own organisation (and its successor after a merger)."""
    TDKT_SPECIALIST = "tdkt_specialist"
    """Staff of the TĐKT body (Sở Nội vụ / Ban TĐKT): receives, appraises and returns dossiers."""
    COUNCIL_MEMBER = "council_member"
    COUNCIL_SECRETARY = "council_secretary"
    PRESS_OFFICER = "press_officer"
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


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    shared_key: str = DEV_SHARED_KEY
    jwks_url: str | None = None
    issuer: str = "tdkt-dev"
    audience: str = "tdkt"
    leeway_s: int = 30


class TokenVerifier:
    def __init__(self, settings: AuthSettings | None = None) -> None:
        self.settings = settings or AuthSettings()
        self._jwks = jwt.PyJWKClient(self.settings.jwks_url) if self.settings.jwks_url else None

    def verify(self, token: str) -> Principal:
        """The token's principal; raises jwt.InvalidTokenError on any defect."""
        if self._jwks is not None:
            key: Any = self._jwks.get_signing_key_from_jwt(token).key
            algorithms = ["RS256", "ES256"]
        else:
            key, algorithms = self.settings.shared_key, ["HS256"]
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
            return Principal(
                subject=claims["sub"], organization_id=claims.get("org", ""), roles=claims.get("roles", [])
            )
        except ValidationError as exc:
            raise jwt.InvalidTokenError(f"bad claims: {exc.errors()[0]['msg']}") from exc


def issue_token(
    subject: str,
    organization_id: str,
    roles: list[Role],
    *,
    settings: AuthSettings | None = None,
    ttl_s: int = 3600,
    now: float | None = None,
) -> str:
    """A development token signed with the shared key."""
    settings = settings or AuthSettings()
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
    return jwt.encode(claims, settings.shared_key, algorithm="HS256")


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
        return _verifier(request).verify(credentials.credentials)
    except jwt.InvalidTokenError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, f"invalid token: {exc}", {"WWW-Authenticate": "Bearer"}
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


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
