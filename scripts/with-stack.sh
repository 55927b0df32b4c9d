#!/usr/bin/env bash
# Run a command with the local stack up. Starts PostgreSQL, Kafka and FerretDB if they are not running, and stops them
# afterwards only if this script started them (a stack you started yourself keeps running).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
stack="$ROOT/scripts/stack.sh"

started=0
if ! "$stack" status >/dev/null 2>&1 || "$stack" status | grep -q stopped; then
    started=1
fi
"$stack" up
cleanup() { if [ "$started" = 1 ]; then "$stack" down || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$@"
