"""CPU time of the platform's processes over a stretch of a run, from `/proc/<pid>/stat` (utime + stime).

Processes are grouped by what they are: the four services (by pid), Kafka, FerretDB and PostgreSQL (every
`postgres` process: the server and one backend per FerretDB connection). A process that ends inside the stretch
loses its share, so a stretch should not span restarts; PostgreSQL's backends are the exception: the time of those
that end is counted through their postmaster (before 6 Dec 2026 it was lost, and a stretch in which FerretDB
closed connections could show no PostgreSQL time at all).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
STACK_PORTS = {"KAFKA_PORT": "9092", "MONGODB_PORT": "27017", "POSTGRES_PORT": "54329"}
"""The variables `scripts/stack.sh` takes its ports from, and its defaults."""


def _cpu_s(pid: int, *, reaped: bool = False) -> float:
    """The process's CPU time; with `reaped`, plus that of its children that ended (a PostgreSQL backend that closes
    moves its time to the postmaster's, so the group's sum does not drop when FerretDB closes a connection)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    children = int(fields[13]) + int(fields[14]) if reaped else 0  # cutime, cstime (16 and 17)
    return (own + children) / TICKS


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _kafka_serves(cmd: str, port: str) -> bool:
    """Whether the broker's `server.properties` (its last argument) listens on `port`."""
    try:
        return f":{port}" in Path(cmd.split()[-1]).read_text(encoding="utf-8")
    except (OSError, IndexError):
        return False


def infrastructure() -> dict[str, list[tuple[int, bool]]]:
    """The local stack's processes: kafka, ferretdb and postgres on the stack's ports (`KAFKA_PORT`, `MONGODB_PORT`,
    `POSTGRES_PORT`, with `scripts/stack.sh`'s defaults): another stack on the same machine is not this run's cost,
    and one that stops during a stretch must not take its CPU time out of the sum. Each pid comes with whether it is
    a postmaster (whose reaped children's time counts)."""
    kafka_port, mongo_port, pg_port = (os.environ.get(v, d) for v, d in STACK_PORTS.items())
    found: dict[str, list[int]] = {"kafka": [], "ferretdb": [], "postgres": []}
    postmasters: set[int] = set()
    backends: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid, cmd = int(entry.name), _cmdline(int(entry.name))
        if "kafka.Kafka" in cmd:
            if _kafka_serves(cmd, kafka_port):
                found["kafka"].append(pid)
        elif cmd.split(" ", 1)[0].endswith("/ferretdb"):
            if f":{mongo_port} " in f"{cmd} ":
                found["ferretdb"].append(pid)
        elif cmd.startswith(("postgres", "/usr/lib/postgresql/")):
            if f" -p {pg_port} " in f" {cmd} ":
                postmasters.add(pid)
                found["postgres"].append(pid)
            else:
                backends.append(pid)
    found["postgres"] += [pid for pid in backends if _ppid(pid) in postmasters]
    return {name: [(pid, pid in postmasters) for pid in pids] for name, pids in found.items()}


@dataclass
class CpuMeter:
    """CPU seconds used by each group between `start()` and `stop()`."""

    services: Mapping[str, int]
    started: dict[str, float] = field(default_factory=dict)
    used_s: dict[str, float] = field(default_factory=dict)
    beside: Mapping[str, int] = field(default_factory=dict)
    """Processes shown after the total and not in it: the load generator shares the cores but is not the platform."""

    def _sample(self) -> dict[str, float]:
        groups = {name: [(pid, False)] for name, pid in {**self.services, **self.beside}.items()} | infrastructure()
        return {name: sum(_cpu_s(pid, reaped=reaped) for pid, reaped in pids) for name, pids in groups.items()}

    def start(self) -> None:
        self.started = self._sample()

    def stop(self) -> dict[str, float]:
        ended = self._sample()
        self.used_s = {name: max(0.0, ended[name] - self.started.get(name, 0.0)) for name in ended}
        return self.used_s

    def per_unit_ms(self, units: int) -> str:
        """`name ms` per unit for every group that used any CPU, largest first, and the total; then the processes
        beside the platform."""
        if not units:
            return ""
        platform = {n: s for n, s in self.used_s.items() if n not in self.beside}
        shares = sorted(((s * 1000 / units, n) for n, s in platform.items() if s > 0), reverse=True)
        total = sum(ms for ms, _ in shares)
        aside = [f"{n} {self.used_s.get(n, 0.0) * 1000 / units:.1f} ms" for n in self.beside]
        return "; ".join([", ".join([f"total {total:.1f} ms", *(f"{n} {ms:.1f}" for ms, n in shares)]), *aside])
