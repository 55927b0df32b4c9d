"""Small measurement helpers."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass(frozen=True)
class Result:
    name: str
    count: int
    seconds: float
    latencies_ms: tuple[float, ...] = ()
    note: str = ""

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")

    def p(self, q: float) -> float:
        return percentile(list(self.latencies_ms), q)

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies_ms) if self.latencies_ms else float("nan")
