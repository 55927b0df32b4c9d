"""Seed loaders over the public APIs: what `tdkt seed` discovers and runs.

Each service that has seed data publishes a `Seed` under the entry-point group `tdkt.seeds` (in its
pyproject.toml). `tdkt seed` runs them in dependency order (`after`) against the running services, each request
with the token of the role the policy names (docs/authorization.md). A loader reads before it writes and skips what
exists, so running it again creates nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import httpx

from tdkt_shared.auth import Role, dev_headers

GROUP = "tdkt.seeds"
Json = dict[str, Any]
TDKT_BODY = "so-noi-vu-bac-kan"
"""The seed letter's TĐKT body (Sở Nội vụ tỉnh Bắc Kạn): the organisation its seeding staff act for."""


class SeedError(RuntimeError):
    """A write the seed needed was refused."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.skipped
        target[kind] = target.get(kind, 0) + 1


@dataclass
class SeedApi:
    """One service's API as one role: reads before writes, and a tick per item for the progress bar."""

    client: httpx.AsyncClient
    role: Role
    organization_id: str = TDKT_BODY
    subject: str = "tdkt-seed"
    tick: Callable[[], None] = lambda: None
    report: SeedReport = field(default_factory=SeedReport)

    def headers(self) -> dict[str, str]:
        token = dev_headers(self.role, organization_id=self.organization_id, subject=self.subject)
        return {**token, "X-Organization-Id": self.organization_id, "X-Correlation-Id": "seed"}

    async def get(self, path: str) -> Json | None:
        """The resource, or None when it does not exist (404)."""
        response = await self.client.get(path, headers=self.headers())
        if response.status_code == 404:
            return None
        self._check(response)
        found: Json = response.json()
        return found

    async def send(self, method: str, path: str, body: Json) -> Json:
        response = await self.client.request(method, path, json=body, headers=self.headers())
        self._check(response)
        sent: Json = response.json() if response.content else {}
        return sent

    async def ensure(self, kind: str, path: str, method: str, target: str, body: Json) -> bool:
        """Send `body` to `target` unless `path` already answers; counts and ticks either way. True when it sent."""
        exists = await self.get(path) is not None
        if not exists:
            await self.send(method, target, body)
        self.report.count(kind, not exists)
        self.tick()
        return not exists

    async def wait_for(self, path: str, what: str, timeout_s: float = 120) -> Json:
        """Poll until `path` answers 200 (a read model filled from the bus); a bound, not a timing."""
        deadline = time.monotonic() + timeout_s
        while (found := await self.get(path)) is None:
            if time.monotonic() > deadline:
                raise SeedError(f"{what}: not there within {timeout_s}s")
            await asyncio.sleep(0.5)
        return found

    @staticmethod
    def _check(response: httpx.Response) -> None:
        if response.is_error:
            raise SeedError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")


@dataclass(frozen=True)
class Seed:
    """A service's seed: `load` writes through `api` (the service's base URL, as `role`) and returns its report."""

    service: str
    role: Role
    items: int
    """How many items it reads or writes (the progress bar's total)."""
    load: Callable[[SeedApi], Awaitable[SeedReport]]
    after: tuple[str, ...] = ()
    """Services whose seed must run first."""
    description: str = ""


def discover() -> dict[str, Seed]:
    """Every installed seed, by service."""
    seeds: dict[str, Seed] = {}
    for entry in entry_points(group=GROUP):
        seed = entry.load()
        if not isinstance(seed, Seed):
            raise TypeError(f"entry point {entry.name} = {entry.value} is not a Seed")
        seeds[seed.service] = seed
    return seeds


def in_dependency_order(seeds: dict[str, Seed], only: Iterable[str] | None = None) -> list[Seed]:
    """Topological order over `after`; with `only`, those and what they depend on. A cycle or a missing
    dependency is an error."""
    wanted = list(seeds) if only is None else list(only)
    ordered: list[Seed] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(s.service == name for s in ordered):
            return
        if name not in seeds:
            raise SeedError(f"no seed for {name!r}; installed: {', '.join(sorted(seeds))}")
        if name in visiting:
            raise SeedError(f"seed dependency cycle through {name}")
        visiting.add(name)
        for dependency in seeds[name].after:
            visit(dependency)
        visiting.discard(name)
        ordered.append(seeds[name])

    for name in sorted(wanted):
        visit(name)
    return ordered
