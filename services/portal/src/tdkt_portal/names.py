"""Names the pages show instead of ids, kept in memory for a while: award names from awards' public catalogue, and
organisation names from the portal's own directory (the registry's events)."""

from __future__ import annotations

import time

from cachetools import TTLCache

from tdkt_portal.backend import Backend, BackendError
from tdkt_portal.store import Repositories

RETRY_S = 10
"""After awards did not answer, how long the names known so far serve before it is asked again (a service that is
down must not add a failing call to every page)."""


class _KeptNames:
    """Names read again after `ttl_s`; the last ones read serve in between."""

    def __init__(self, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._names: dict[str, str] = {}
        self._at = float("-inf")

    @property
    def known(self) -> dict[str, str]:
        """The names as last read (empty before the first read)."""
        return self._names

    def _fresh(self, now: float) -> bool:
        return now - self._at < self._ttl_s

    def _keep(self, names: dict[str, str]) -> dict[str, str]:
        self._names, self._at = names, time.monotonic()
        return names


class AwardNames(_KeptNames):
    def __init__(self, ttl_s: float) -> None:
        super().__init__(ttl_s)
        self._retry_at = float("-inf")

    async def get(self, backend: Backend) -> dict[str, str]:
        """Code -> name over every rule set; the last names known when awards does not answer."""
        now = time.monotonic()
        if (self._fresh(now) and self._names) or now < self._retry_at:
            return self._names
        try:
            rule_sets = await backend.get("awards", "/catalogue/rule-sets")
        except BackendError:
            self._retry_at = now + RETRY_S
            return self._names
        names: dict[str, str] = {}
        for rule_set in rule_sets:
            for award in rule_set.get("award_types", []):
                names.setdefault(award["code"], award["name"])
        return self._keep(names)


class UnitNames(_KeptNames):
    """Organisation id -> name; read again after `ttl_s` (a new organisation shows within that time)."""

    async def get(self, repositories: Repositories) -> dict[str, str]:
        if self._fresh(time.monotonic()):
            return self._names
        found = await repositories.directory.organizations.find_all({})
        return self._keep({o.aggregate.id: o.aggregate.name or o.aggregate.id for o in found})


class AwardChecklists:
    """An award's dossier checklist (Art. 84) under the rules in force on a day and territory, kept `ttl_s`: the
    catalogue changes only when a rule-set version is published, and a dossier screen need not ask for it each time."""

    def __init__(self, ttl_s: float, entries: int = 1024) -> None:
        self._cache: TTLCache[tuple[str, str, str | None], list[str]] | None = (
            TTLCache(maxsize=entries, ttl=ttl_s) if ttl_s > 0 else None
        )

    async def get(self, backend: Backend, token: str, code: str, on: str, territory: str | None) -> list[str]:
        key = (code, on, territory)
        if self._cache is not None and key in self._cache:
            return list(self._cache[key])
        award = await backend.get("awards", f"/catalogue/awards/{code}", token, on=on, territory=territory)
        items = [str(item) for item in award.get("attachments") or []]
        if self._cache is not None:
            self._cache[key] = items
        return list(items)
