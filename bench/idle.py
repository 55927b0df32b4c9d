"""`python -m bench.idle [SECONDS] [--bus faust aiokafka]`: the CPU the platform uses when nothing happens.

The four services are started as in the pipeline bench (fresh databases, consumer groups at the topics' ends), given
`--settle` seconds to finish starting, then left alone for SECONDS while their CPU time is read from `/proc` (the
services by pid; Kafka, FerretDB and PostgreSQL on the run's ports, as `bench.cpu` finds them). Prints the share of
one core each used, per consumer transport.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

from bench.cpu import CpuMeter
from bench.pipeline import SERVICES, commit_at_end, start, wait_ready
from tdkt_shared.settings import load_settings
from tdkt_shared.store import connect


async def idle(bus: str, seconds: float, settle_s: float) -> dict[str, float]:
    """Each process's share of one core (%) over `seconds` of doing nothing."""
    settings = load_settings("registry")
    run = f"idle{uuid.uuid4().hex[:6]}"
    await commit_at_end(settings.kafka_bootstrap_servers, [f"bench-{s}-{run}" for s in SERVICES])
    services = {s: start(s, run, bus, {}) for s in SERVICES}
    try:
        for service in services.values():
            await wait_ready(service, 120)
        await asyncio.sleep(settle_s)
        meter = CpuMeter({name: s.process.pid for name, s in services.items()})
        meter.start()
        began = time.monotonic()
        await asyncio.sleep(seconds)
        used = meter.stop()
        elapsed = time.monotonic() - began
        return {name: 100 * cpu_s / elapsed for name, cpu_s in used.items()}
    finally:
        for service in services.values():
            service.process.terminate()
        for service in services.values():
            service.process.wait(30)
        client = connect(settings.mongodb_url)
        for name in SERVICES:
            await client.drop_database(f"bench_{name}_{run}")
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.idle", description=__doc__)
    parser.add_argument("seconds", type=float, nargs="?", default=60.0)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds between ready and measuring")
    parser.add_argument("--bus", nargs="+", default=["aiokafka", "faust"], choices=["aiokafka", "faust"])
    args = parser.parse_args()
    for bus in args.bus:
        shares = asyncio.run(idle(bus, args.seconds, args.settle))
        listed = ", ".join(f"{name} {pct:.1f}%" for name, pct in sorted(shares.items(), key=lambda kv: -kv[1]))
        print(f"idle {args.seconds:.0f} s ({bus} consumers), share of one core: {listed}")


if __name__ == "__main__":
    main()
