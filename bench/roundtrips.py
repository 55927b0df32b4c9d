"""`python -m bench.roundtrips PREFIX REPORTS`: database round trips per report, from the command profiles that
the services wrote during a bench run with `TDKT_MONGO_PROFILE=PREFIX` (one `PREFIX.<pid>.json` per process).

Every command a service sent counts (reads, writes, the relay's and the consumers'), but not the driver's own
(`hello`, `ping`, `endSessions`) nor index management; the bench's own process is not profiled. REPORTS is the
number of reports the run opened and submitted, so the figure covers a report's whole life: open, submit, relay,
and every consumer that reacts.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

DRIVER = {"hello", "isMaster", "ismaster", "ping", "endSessions", "listIndexes", "createIndexes", "buildInfo"}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.roundtrips", description=__doc__)
    parser.add_argument("prefix", type=Path)
    parser.add_argument("reports", type=int)
    args = parser.parse_args()
    by_command: Counter[str] = Counter()
    for path in sorted(args.prefix.parent.glob(f"{args.prefix.name}.*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            name, collection, _detail = row["command"]
            if name not in DRIVER:
                by_command[f"{name} {collection}"] += row["count"]
    total = sum(by_command.values())
    print(f"{total} commands, {total / args.reports:.2f} a report")
    for command, count in by_command.most_common(15):
        print(f"  {count / args.reports:6.2f}  {command}")


if __name__ == "__main__":
    main()
