#!/usr/bin/env bash
# Print the path of axe-core's browser bundle (axe.min.js) for the portal's browser tests, installing the pinned npm
# package (stack/axe-core: package.json and package-lock.json) once into the cache, like the AsyncAPI checker.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SRC="$ROOT/stack/axe-core"
hash="$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha256sum | cut -c1-16)"
dir="${TDKT_CACHE_DIR:-$HOME/.cache/tdkt}/axe-core-$hash"
if [ ! -f "$dir/.installed" ]; then
    echo "[axe-core] installing axe-core with npm into $dir" >&2
    mkdir -p "$dir"
    cp "$SRC/package.json" "$SRC/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --silent >&2) && touch "$dir/.installed"
fi
echo "$dir/node_modules/axe-core/axe.min.js"
