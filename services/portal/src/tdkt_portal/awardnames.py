"""Award names from awards' public catalogue, kept in memory for a while (the roll shows names, not codes)."""

from __future__ import annotations

import time

from tdkt_portal.backend import Backend, BackendError


class AwardNames:
    def __init__(self, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._names: dict[str, str] = {}
        self._at = float("-inf")

    async def get(self, backend: Backend) -> dict[str, str]:
        """Code -> name over every rule set; the last names known when awards does not answer."""
        if time.monotonic() - self._at < self._ttl_s and self._names:
            return self._names
        try:
            rule_sets = await backend.get("awards", "/catalogue/rule-sets")
        except BackendError:
            return self._names
        names: dict[str, str] = {}
        for rule_set in rule_sets:
            for award in rule_set.get("award_types", []):
                names.setdefault(award["code"], award["name"])
        self._names, self._at = names, time.monotonic()
        return names
