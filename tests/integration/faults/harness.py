"""A private Kafka + PostgreSQL + FerretDB (scripts/stack.sh on free ports, state in a temp dir) and service workers
as real processes, so the fault tests can kill and restart them without touching the shared stack."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[3]
STACK_SH = ROOT / "scripts" / "stack.sh"
BIN = Path(sys.executable).parent
SETTINGS_TO_DROP = ("MONGODB_DATABASE", "CONSUMER_GROUP", "HTTP_HOST", "HTTP_PORT", "SERVICE_NAME")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _state_root() -> str | None:
    """tmpfs when there is one: the private instance's fsyncs then cost nothing."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


@dataclass
class PrivateStack:
    """One instance of scripts/stack.sh: its own dir (TDKT_STACK_DIR), its own ports, loopback only."""

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tdkt-faults-", dir=_state_root())))
    kafka_port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    mongodb_port: int = field(default_factory=free_port)
    postgres_port: int = field(default_factory=free_port)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongodb_port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_TO_DROP}
        env.update(
            TDKT_STACK_DIR=str(self.directory),
            KAFKA_PORT=str(self.kafka_port),
            KAFKA_CONTROLLER_PORT=str(self.controller_port),
            MONGODB_PORT=str(self.mongodb_port),
            POSTGRES_PORT=str(self.postgres_port),
            KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
            MONGODB_URL=self.mongodb_url,
            STACK_PYTHON=sys.executable,
        )
        return env

    def run(self, *args: str, timeout_s: float = 120, check: bool = True) -> float:
        """`scripts/stack.sh ARGS` on this instance; returns how long it took."""
        t0 = time.monotonic()
        done = subprocess.run(
            [str(STACK_SH), *args],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"scripts/stack.sh {' '.join(args)} failed ({done.returncode}):\n{done.stdout}")
        return time.monotonic() - t0

    def up(self) -> float:
        return self.run("up", timeout_s=180)

    def restart(self, *components: str) -> float:
        """`scripts/stack.sh restart` of `postgres`, `kafka` and/or `ferretdb`: stopped, then started again on the
        same data and ports; returns how long it took. After a PostgreSQL restart, the first command on each of
        FerretDB's pooled connections fails (`terminating connection due to administrator command`, SQLSTATE
        57P01) and that connection is replaced."""
        return self.run("restart", *components, timeout_s=180)

    def down(self) -> None:
        """Stop the servers; if the script fails, SIGKILL what its pid files name; then remove the dir
        (kept when TDKT_FAULTS_KEEP=1, for its logs)."""
        try:
            self.run("down", timeout_s=60, check=False)
        finally:
            for pidfile in (self.directory / "pids").glob("*.pid"):
                with contextlib.suppress(ValueError, OSError):
                    os.kill(int(pidfile.read_text().strip()), signal.SIGKILL)
            if os.environ.get("TDKT_FAULTS_KEEP") != "1":
                shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Worker:
    """`tdkt-<service> --role worker` (relay + consumers, /readyz) on the private stack."""

    service: str
    stack: PrivateStack
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    _log: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.stack.directory / "logs" / f"{self.service}.log"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, f"{self.service} is running"
        env = self.stack.env()
        env.update(HTTP_PORT=str(self.port), LOG_LEVEL="WARNING")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self._log is None:
            self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / f"tdkt-{self.service}"), "--role", "worker"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, whatever was in flight is cut."""
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def readyz(self) -> int | None:
        """The status of /readyz, or None when nothing answers."""
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=5).status_code
        except httpx.HTTPError:
            return None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_until_ready(workers: list[Worker], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    pending = list(workers)
    while pending:
        for worker in list(pending):
            assert worker.alive(), f"{worker.service} exited:\n{worker.tail()}"
            if worker.readyz() == 200:
                pending.remove(worker)
        if pending and time.monotonic() > deadline:
            raise AssertionError(f"not ready within {timeout_s}s: {[w.service for w in pending]}")
        time.sleep(0.2)


@contextlib.contextmanager
def workers_on(stack: PrivateStack, services: list[str]) -> Iterator[dict[str, Worker]]:
    running = {service: Worker(service, stack) for service in services}
    try:
        for worker in running.values():
            worker.start()
        yield running
    finally:
        for worker in running.values():
            worker.stop()
