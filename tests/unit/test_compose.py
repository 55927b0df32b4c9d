"""docker-compose.yml cannot run here (no Docker engine), so its structure is checked instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tdkt_notify.settings import NotifySettings
from tdkt_shared.auth import DEV_ISSUER, AuthSettings
from tdkt_shared.settings import DEFAULT_PORTS, Settings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "reporting", "awards", "notify")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def test_the_stack_images_are_the_official_ones_pinned_to_the_local_versions(compose: dict[str, Any]) -> None:
    kafka_version = re.search(r"<kafka.version>(.+)</kafka.version>", (ROOT / "stack/kafka/pom.xml").read_text())
    assert kafka_version is not None
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{kafka_version.group(1)}"
    assert compose["services"]["mongo"]["image"] == "mongo:8"


def test_kafka_runs_in_kraft_mode_with_topics_created_by_the_services(compose: dict[str, Any]) -> None:
    env = compose["services"]["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_mongo_is_a_replica_set_initiated_by_its_healthcheck(compose: dict[str, Any]) -> None:
    mongo = compose["services"]["mongo"]
    assert mongo["command"][:2] == ["--replSet", "rs0"]
    assert "rs.initiate" in " ".join(mongo["healthcheck"]["test"])


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_built_configured_checked_and_ordered(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert service["build"] == {"context": ".", "args": {"SERVICE": name}}
    port = DEFAULT_PORTS[name]
    assert service["ports"] == [f"{port}:{port}"]
    env = service["environment"]
    assert env["HTTP_PORT"] == str(port)
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["MONGODB_URL"].startswith("mongodb://mongo:27017/")
    settings = {f.upper() for f in Settings.model_fields} | {f"AUTH_{f.upper()}" for f in AuthSettings.model_fields}
    if name == "notify":
        settings |= {f.upper() for f in NotifySettings.model_fields}
    assert set(env) <= settings, "every variable must be a real setting"
    assert env["AUTH_SHARED_KEY_FILE"] == "/run/secrets/tdkt_auth_key"
    assert service["secrets"] == ["tdkt_auth_key"]
    assert "AUTH_MODE" not in env, "a deployment never runs in development mode"
    assert service["depends_on"] == {
        "kafka": {"condition": "service_healthy"},
        "mongo": {"condition": "service_healthy"},
    }
    assert "/readyz" in " ".join(service["healthcheck"]["test"])


def test_the_signing_key_is_a_secret_the_operator_must_name(compose: dict[str, Any]) -> None:
    assert compose["secrets"]["tdkt_auth_key"]["file"].startswith("${TDKT_AUTH_KEY_FILE:?")


def test_every_healthcheck_has_a_bounded_schedule(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        check = service["healthcheck"]
        assert {"interval", "timeout", "retries"} <= set(check), name


def test_the_dockerfile_builds_the_named_service_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'uv sync --frozen --no-dev --package "tdkt-${SERVICE}"' in dockerfile
    for name in SERVICES:
        assert (
            (ROOT / "services" / name / "pyproject.toml").read_text().count(f'tdkt-{name} = "tdkt_{name}.service:main"')
        )


def test_the_broker_keeps_the_event_history(compose: dict[str, Any]) -> None:
    assert compose["services"]["kafka"]["environment"]["KAFKA_LOG_RETENTION_MS"] == "-1"


def test_the_portal_calls_the_services_by_name_and_starts_after_them(compose: dict[str, Any]) -> None:
    from tdkt_portal.settings import PortalSettings

    portal = compose["services"]["portal"]
    assert portal["build"] == {"context": ".", "args": {"SERVICE": "portal"}}
    assert portal["ports"] == [f"{DEFAULT_PORTS['portal']}:{DEFAULT_PORTS['portal']}"]
    env = portal["environment"]
    assert env["HTTP_PORT"] == str(DEFAULT_PORTS["portal"])
    for name in SERVICES:
        assert env[f"{name.upper()}_URL"] == f"http://{name}:{DEFAULT_PORTS[name]}"
        assert portal["depends_on"][name] == {"condition": "service_healthy"}
    known = (
        {f.upper() for f in Settings.model_fields}
        | {f"AUTH_{f.upper()}" for f in AuthSettings.model_fields}
        | {f.upper() for f in PortalSettings.model_fields}
    )
    assert set(env) <= known, "every variable must be a real setting"
    assert "AUTH_MODE" not in env, "no development sign-in in a deployment"
    assert env["SESSION_SECRET_FILE"] == "/run/secrets/tdkt_auth_key"
    assert portal["secrets"] == ["tdkt_auth_key"]
    assert "/readyz" in " ".join(portal["healthcheck"]["test"])
    assert (ROOT / "services/portal/pyproject.toml").read_text().count('tdkt-portal = "tdkt_portal.service:main"')


def test_tokens_the_operator_signs_with_the_compose_key_verify_in_the_services(compose: dict[str, Any]) -> None:
    issuer = compose["x-service-env"]["AUTH_ISSUER"]
    assert issuer == "${AUTH_ISSUER:-tdkt-dev}"
    assert (
        issuer.removeprefix("${AUTH_ISSUER:-").removesuffix("}")
        == DEV_ISSUER
        == AuthSettings.model_fields["issuer"].default
    )


def test_the_unauthenticated_bus_and_database_are_published_on_the_hosts_loopback_only(compose: dict[str, Any]) -> None:
    for name in ("kafka", "mongo"):
        assert all(port.startswith("127.0.0.1:") for port in compose["services"][name]["ports"]), name


def test_every_container_comes_back_after_a_crash_or_a_reboot(compose: dict[str, Any]) -> None:
    assert {name: s.get("restart") for name, s in compose["services"].items()} == dict.fromkeys(
        compose["services"], "unless-stopped"
    )


def test_notify_takes_its_smtp_server_from_the_operator_and_empty_means_unset(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    passed = compose["services"]["notify"]["environment"]
    names = ("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_START_TLS", "SMTP_USE_TLS", "MAIL_FROM")
    assert {n: passed[n] for n in names} == {n: f"${{{n}:-}}" for n in names}
    for name in names:
        monkeypatch.setenv(name, "")  # what compose gives for a variable the operator did not set
    given = NotifySettings()  # would fail on SMTP_PORT="" if an empty variable were a value
    assert (given.smtp_host, given.smtp_port, given.smtp_start_tls, given.smtp_use_tls) == (
        "127.0.0.1",
        25,
        None,
        False,
    )
    assert given.smtp_password is None
