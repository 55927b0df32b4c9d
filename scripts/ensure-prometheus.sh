#!/usr/bin/env bash
# Print the path of a Prometheus server, installing Debian's `prometheus` package with apt-get when there is none
# (root only, like PostgreSQL in stack.sh). PROMETHEUS_BIN names another binary.
set -euo pipefail
if [ -n "${PROMETHEUS_BIN:-}" ]; then echo "$PROMETHEUS_BIN"; exit 0; fi
if command -v prometheus >/dev/null 2>&1; then command -v prometheus; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "no prometheus: install it (sudo apt-get install prometheus) or set PROMETHEUS_BIN" >&2
    exit 1
fi
log="$(mktemp)"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-upgrade prometheus >"$log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-upgrade prometheus >>"$log" 2>&1 ||
        { tail -20 "$log" >&2; exit 1; }
fi
command -v prometheus
