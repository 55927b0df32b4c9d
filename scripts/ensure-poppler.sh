#!/usr/bin/env bash
# Print the directory holding poppler's `pdftotext` and `pdftoppm` (the document tests read PDFs with them),
# installing Debian's `poppler-utils` with apt-get when they are missing (root only). POPPLER_DIR names another one.
set -euo pipefail
if [ -n "${POPPLER_DIR:-}" ]; then echo "$POPPLER_DIR"; exit 0; fi
if command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
    dirname "$(command -v pdftotext)"; exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "no pdftotext/pdftoppm: install them (sudo apt-get install poppler-utils) or set POPPLER_DIR" >&2
    exit 1
fi
apt() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}
log="$(mktemp)"
if ! apt install -y --no-install-recommends --no-upgrade poppler-utils >"$log" 2>&1; then
    apt update >>"$log" 2>&1 || true
    apt install -y --no-install-recommends --no-upgrade poppler-utils >>"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
fi
dirname "$(command -v pdftotext)"
