"""Which database commands a process sends and what they cost: a PyMongo command listener for profiling.

Enabled by `TDKT_MONGO_PROFILE=<path>` (for benchmarks; off by default). Commands are grouped by name,
collection and the shape of their filter and sort (field names, not values); every few seconds the totals
are written to `<path>.<pid>.json`, slowest total first.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from pymongo import monitoring

WRITE_EVERY_S = 3.0


def shape(value: Any) -> Any:
    """The field names of a filter or sort, with values left out (operators kept)."""
    if isinstance(value, dict):
        return {k: shape(v) if k.startswith("$") or isinstance(v, dict) else "?" for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return "?"


class CommandProfile(monitoring.CommandListener):
    def __init__(self, path: Path) -> None:
        self._path = path
        self._started: dict[int, tuple[str, float]] = {}
        self._totals: defaultdict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        self._lock = threading.Lock()
        self._written = time.monotonic()

    def _key(self, event: monitoring.CommandStartedEvent) -> str:
        command = event.command
        name = event.command_name
        collection = command.get(name) if isinstance(command.get(name), str) else ""
        detail: dict[str, Any] = {}
        for field in ("filter", "sort", "query"):
            if field in command:
                detail[field] = shape(command[field])
        statements = command.get("updates") or command.get("deletes")
        if name in ("update", "delete") and statements:
            detail["q"] = shape(statements[0].get("q"))
            detail["n"] = min(len(statements), 10)
        return json.dumps([name, collection, detail], sort_keys=True)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self._started[event.request_id] = (self._key(event), time.perf_counter())

    def _finish(self, request_id: int, duration_s: float) -> None:
        started = self._started.pop(request_id, None)
        if started is None:
            return
        with self._lock:
            total = self._totals[started[0]]
            total[0] += 1
            total[1] += duration_s
        if time.monotonic() - self._written > WRITE_EVERY_S:
            self.write()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finish(event.request_id, event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finish(event.request_id, event.duration_micros / 1e6)

    def write(self) -> None:
        with self._lock:
            rows = sorted(self._totals.items(), key=lambda item: -item[1][1])
            self._written = time.monotonic()
        report = [{"command": json.loads(k), "count": int(n), "seconds": round(s, 3)} for k, (n, s) in rows]
        self._path.with_name(f"{self._path.name}.{os.getpid()}.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
        )


def listeners() -> list[monitoring.CommandListener]:
    """The profile listener when `TDKT_MONGO_PROFILE` names a path, else none."""
    path = os.environ.get("TDKT_MONGO_PROFILE")
    return [CommandProfile(Path(path))] if path else []
