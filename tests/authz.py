"""The authorisation matrix every service's tests run: each write endpoint × each role × own or foreign organisation.

A service's test module writes its policy down independently of the code (`POLICY`), checks that the policy names
every write operation the app exposes, and asks `expected(...)` what each (role, own/foreign) pair must get.
A refused request must answer 403 (401 without a token) and leave every store exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.runtime import InMemoryRuntime

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
ALL_ROLES: tuple[Role, ...] = tuple(Role)


@dataclass(frozen=True)
class Rule:
    """Who may call one write operation. Admins always may."""

    any_org: frozenset[Role] = field(default_factory=frozenset)
    """Roles admitted whatever organisation the request concerns."""
    own_org: frozenset[Role] = field(default_factory=frozenset)
    """Roles admitted only for their own organisation (or one in its lineage)."""

    def admits(self, role: Role, *, own: bool) -> bool:
        return role is Role.ADMIN or role in self.any_org or (own and role in self.own_org)


def rule(*any_org: Role, own_org: tuple[Role, ...] = ()) -> Rule:
    return Rule(frozenset(any_org), frozenset(own_org))


def write_operations(app: FastAPI) -> set[tuple[str, str]]:
    """Every (METHOD, path template) the app accepts writes on, from its OpenAPI document."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    }


def read_paths(app: FastAPI) -> set[str]:
    """Every path template the app answers GET on, from its OpenAPI document."""
    return {path for path, operations in app.openapi()["paths"].items() if "get" in operations}


def headers(role: Role, organization_id: str, subject: str | None = None) -> dict[str, str]:
    return dev_headers(role, organization_id=organization_id, subject=subject or f"user-{role}-{organization_id}")


async def snapshot(runtime: InMemoryRuntime, collections: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Everything written so far: each aggregate's version and each collection's event count."""
    result: dict[str, Any] = {}
    for name in collections:
        store = runtime.store(name)
        found = await store.find({}, limit=1_000_000)
        result[name] = (sorted((s.id, s.version) for s in found), len(store.events))
    return result
