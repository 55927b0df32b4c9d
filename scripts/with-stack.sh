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
# the command reaches this stack, on whatever ports it was given
export MONGODB_URL="${MONGODB_URL:-mongodb://127.0.0.1:${MONGODB_PORT:-27017}}"
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
"$@"
