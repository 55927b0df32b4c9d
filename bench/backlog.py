"""`python -m bench.backlog [N]`: reporting's memory while its relay cannot publish.

On the local stack: the bench's four services, N reports opened, then Kafka stopped (`scripts/stack.sh stop
kafka`), the N reports submitted, and Kafka started again. Prints reporting's VmRSS and VmHWM at each step: what a
backlog of N unpublished events costs the process that wrote them.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.pipeline import Pipeline
from tdkt_shared.settings import load_settings


def mem(pid: int) -> str:
    fields = {
        line.split(":")[0]: line.split(":")[1].strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith(("VmRSS", "VmHWM"))
    }
    return f"RSS {fields['VmRSS']}, HWM {fields['VmHWM']}"


ROOT = Path(__file__).resolve().parent.parent


async def stack(action: str) -> None:
    process = await asyncio.create_subprocess_exec(
        str(ROOT / "scripts" / "stack.sh"), action, "kafka", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if await process.wait() != 0:
        raise RuntimeError(f"scripts/stack.sh {action} kafka failed")


async def main(n: int) -> None:
    s = load_settings("registry")
    async with Pipeline(
        s.kafka_bootstrap_servers, s.mongodb_url, bus="aiokafka", timeout_s=900, organizations=100
    ) as p:
        await p.open_reports(0, n, 16)
        await asyncio.sleep(10)
        pid = p.services["reporting"].process.pid
        print("opened", n, mem(pid), flush=True)
        await stack("stop")
        t = time.perf_counter()
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        async with httpx.AsyncClient(base_url=p.services["reporting"].url, timeout=60, limits=limits) as client:
            todo = iter(p.opened)

            async def worker() -> None:
                for report, org in todo:
                    r = await client.post(f"/reports/{report}/submit", json={"version": 1}, headers=p.headers(org))
                    r.raise_for_status()

            await asyncio.gather(*(worker() for _ in range(16)))
        print(f"submitted {n} with Kafka down in {time.perf_counter() - t:.0f} s;", mem(pid), flush=True)
        await stack("start")
        await asyncio.sleep(20)
        print("after Kafka is back", mem(pid), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 6000))
