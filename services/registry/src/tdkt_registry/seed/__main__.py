"""`python -m tdkt_registry.seed`: load the seed data into the registry's MongoDB (see the package docstring)."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from tdkt_registry.seed import load, read_seed
from tdkt_registry.service import DEFINITION
from tdkt_shared.runtime import Runtime


async def run(path: Path | None, until: str | None) -> dict[str, dict[str, int]]:
    runtime = Runtime(DEFINITION)
    try:
        report = await load(read_seed(path), runtime, until=until)
    finally:
        await runtime.client.close()
    return {"created": report.created, "skipped": report.skipped}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tdkt_registry.seed", description=__doc__)
    parser.add_argument("--file", type=Path, default=None, help="a seed file (default: the bundled bac_kan.json)")
    parser.add_argument("--until", default=None, help="stop after this reorganisation batch id")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.file, args.until)), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
