"""`python -m bench.ferretdb --binary FERRETDB`: single-document write rates of private FerretDB instances, one per
set of SQLite pragmas, each on a free port and a fresh directory (never the shared instance on 27017).

The binary must accept `-sqlite-url` (FerretDB's own `--sqlite-url`; the project's stack/ferretdb main takes
`-sqlite-dir` only until it gains that flag). FerretDB 1.24 adds `busy_timeout(10000)`, `journal_mode(wal)` and
`auto_vacuum(none)` to any URI that does not set them (internal/backends/sqlite/metadata/pool/uri.go).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.progress import say
from bench.raw import free_port, mongo_single_document_writes
from bench.stats import Result
from tdkt_shared.store import connect

VARIANTS = {
    "default (WAL, synchronous FULL)": "",
    "synchronous(normal)": "_pragma=synchronous(normal)",
    "synchronous(normal) + _txlock=immediate": "_pragma=synchronous(normal)&_txlock=immediate",
    "synchronous(off)": "_pragma=synchronous(off)",
}


async def measure(binary: Path, query: str, count: int, concurrency: int, timeout_s: float) -> tuple[Result, Result]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-ferretdb-") as data:
        url = f"file:{data}/" + (f"?{query}" if query else "")
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is measured
            [str(binary), "-listen-addr", f"127.0.0.1:{port}", "-sqlite-url", url, "-log-level", "error"],
            stdout=subprocess.DEVNULL,
        )
        try:
            client = connect(f"mongodb://127.0.0.1:{port}")
            for _ in range(100):
                try:
                    await client.admin.command("ping")
                    break
                except Exception:
                    await asyncio.sleep(0.1)
            await client.close()
            return await mongo_single_document_writes(
                f"mongodb://127.0.0.1:{port}", count, timeout_s, concurrency=concurrency
            )
        finally:
            process.terminate()
            process.wait(30)


async def main(args: argparse.Namespace) -> list[str]:
    lines = [
        f"Load before: {os.getloadavg()[0]:.2f} (1-min load average), {count_note(args)}",
        "",
        "| `-sqlite-url` query | concurrency | insert_one/s | update_one/s |",
        "|---|---|---|---|",
    ]
    for name, query in VARIANTS.items():
        for concurrency in args.concurrency:
            started = time.perf_counter()
            inserted, updated = await measure(args.binary, query, args.count, concurrency, args.timeout)
            say(f"{name} c={concurrency}: {inserted.rate:.0f} inserts/s, {updated.rate:.0f} updates/s")
            partial = " (partial)" if "PARTIAL" in inserted.note + updated.note else ""
            lines.append(
                f"| {name}: `{query or '-'}` | {concurrency} | {inserted.rate:,.0f} | {updated.rate:,.0f}{partial} |"
            )
            say(f"  took {time.perf_counter() - started:.0f} s")
    lines.append(f"\nLoad after: {os.getloadavg()[0]:.2f}")
    return lines


def count_note(args: argparse.Namespace) -> str:
    return f"{args.count} documents per variant"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.ferretdb")
    parser.add_argument("--binary", type=Path, required=True, help="a FerretDB 1.24 build that takes -sqlite-url")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--timeout", type=float, default=60)
    print("\n".join(asyncio.run(main(parser.parse_args()))))
