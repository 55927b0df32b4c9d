#!/usr/bin/env bash
# Print the path of LibreOffice's `soffice` (headless DOCX -> PDF), installing Debian's `libreoffice-writer-nogui`
# and the Liberation fonts (Liberation Serif is metric-compatible with Times New Roman, which Decree 30/2020 names)
# with apt-get when there is none (root only). SOFFICE_BIN names another binary.
set -euo pipefail
if [ -n "${SOFFICE_BIN:-}" ]; then echo "$SOFFICE_BIN"; exit 0; fi
have() { command -v soffice >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Liberation Serif"; }
if have; then command -v soffice; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "no soffice: install it (sudo apt-get install libreoffice-writer-nogui fonts-liberation2) or set SOFFICE_BIN" >&2
    exit 1
fi
packages=(libreoffice-writer-nogui fonts-liberation2 fonts-dejavu-core fontconfig)
apt() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}
log="$(mktemp)"
if ! apt install -y --no-install-recommends --no-upgrade "${packages[@]}" >"$log" 2>&1; then
    apt update >>"$log" 2>&1 || true
    apt install -y --no-install-recommends --no-upgrade "${packages[@]}" >>"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
fi
command -v soffice
