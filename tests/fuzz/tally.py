"""Cases sent per operation, per (service, pass), for the terminal summary."""

from __future__ import annotations

from collections import Counter, defaultdict

TALLIES: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
