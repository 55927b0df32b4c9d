#!/usr/bin/env bash
# Print the path of a Chromium for the browser tests, installing Debian's `chromium` package with apt-get when there
# is none (root only; Playwright's own browser download is not used). CHROMIUM_BIN names another binary.
set -euo pipefail
if [ -n "${CHROMIUM_BIN:-}" ]; then echo "$CHROMIUM_BIN"; exit 0; fi
if command -v chromium >/dev/null 2>&1; then command -v chromium; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "no chromium: install it (sudo apt-get install chromium) or set CHROMIUM_BIN" >&2
    exit 1
fi
log="$(mktemp)"
apt=(apt-get -o DPkg::Lock::Timeout=600)
install=("${apt[@]}" install -y --no-install-recommends --no-upgrade chromium fonts-dejavu-core)
if ! DEBIAN_FRONTEND=noninteractive "${install[@]}" >"$log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >>"$log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive "${install[@]}" >>"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
fi
command -v chromium
