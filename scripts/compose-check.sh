#!/usr/bin/env bash
# Validate docker-compose.yml with compose-go, the library behind `docker compose config` (no Docker needed).
# The checker is built once with Go into the cache, like FerretDB.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SRC="$ROOT/stack/compose-check"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
hash="$(cat "$SRC/main.go" "$SRC/go.mod" "$SRC/go.sum" | sha256sum | cut -c1-16)"
bin="${TDKT_CACHE_DIR:-$HOME/.cache/tdkt}/compose-check-$hash/compose-check"
if [ ! -x "$bin" ]; then
    echo "[compose-check] building the validator (compose-go) into $(dirname "$bin")"
    mkdir -p "$(dirname "$bin")"
    (cd "$SRC" && CGO_ENABLED=0 "$GO" build -o "$bin.tmp" . && mv "$bin.tmp" "$bin")
fi
file="${1:-$ROOT/docker-compose.yml}"
"$bin" "$file" >/dev/null
echo "[compose-check] $(basename "$file"): valid"
