#!/usr/bin/env bash
# Install uv if missing, then the locked Python workspace into .venv (Python 3.11, the machine's interpreter).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
UV_VERSION="0.13.8"

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    echo "[bootstrap] installing uv $UV_VERSION from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    hash -r
fi
cd "$ROOT"
uv sync --frozen --python "$(command -v python3)"
