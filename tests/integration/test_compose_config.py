"""docker-compose.yml validated by compose-go, the loader behind `docker compose config`."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "compose-check.sh"


def run_check(path: Path, key_file: str | None = "./auth.key") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TDKT_AUTH_KEY_FILE"}
    if key_file is not None:
        env["TDKT_AUTH_KEY_FILE"] = key_file
    return subprocess.run([str(CHECK), str(path)], capture_output=True, text=True, timeout=600, check=False, env=env)


def test_the_compose_file_is_valid() -> None:
    result = run_check(ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stderr
    assert "docker-compose.yml: valid" in result.stdout


def test_the_validator_rejects_a_broken_file(tmp_path: Path) -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace("condition: service_healthy", "condition: service_happy"), encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = run_check(broken)
    assert result.returncode != 0
    # compose-go names the first bad condition it meets, and it walks the services in no fixed order
    assert re.search(r"depends_on\.(kafka|mongo)\.condition value must be one of", result.stderr), result.stderr


def test_the_operator_must_give_a_signing_key() -> None:
    """No built-in credential: without TDKT_AUTH_KEY_FILE the file does not load, and the error says what to set."""
    result = run_check(ROOT / "docker-compose.yml", key_file=None)
    assert result.returncode != 0
    assert "required variable TDKT_AUTH_KEY_FILE is missing a value" in result.stderr
    assert "openssl rand -hex 32" in result.stderr
