#!/usr/bin/env bash
# Validate docs/asyncapi.yaml with the official AsyncAPI parser (the npm package, run with Node). The parser is
# installed once from npm (package-lock.json pins it) into the cache, like the compose checker.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SRC="$ROOT/stack/asyncapi-check"
hash="$(cat "$SRC/package.json" "$SRC/package-lock.json" "$SRC/validate.mjs" | sha256sum | cut -c1-16)"
dir="${TDKT_CACHE_DIR:-$HOME/.cache/tdkt}/asyncapi-check-$hash"
if [ ! -f "$dir/.installed" ]; then
    echo "[asyncapi-check] installing @asyncapi/parser with npm into $dir"
    mkdir -p "$dir"
    cp "$SRC/package.json" "$SRC/package-lock.json" "$SRC/validate.mjs" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --silent) && touch "$dir/.installed"
fi
file="${1:-$ROOT/docs/asyncapi.yaml}"
node "$dir/validate.mjs" "$file"
