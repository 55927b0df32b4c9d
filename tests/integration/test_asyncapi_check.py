"""docs/asyncapi.yaml validated by the official AsyncAPI parser (npm, run with Node)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "asyncapi-check.sh"


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECK), str(path)], capture_output=True, text=True, timeout=600, check=False)


def test_the_document_is_valid_asyncapi_3() -> None:
    result = run_check(ROOT / "docs" / "asyncapi.yaml")
    assert result.returncode == 0, result.stderr
    assert "valid AsyncAPI 3.0.0 (4 channels, " in result.stdout


def test_the_parser_rejects_a_broken_document(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "asyncapi.yaml"
    broken.write_text(text.replace("action: send", "action: shout", 1), encoding="utf-8")
    result = run_check(broken)
    assert result.returncode == 1
    assert "error" in result.stderr
    assert "operations.publishRegistryEvents.action" in result.stderr
