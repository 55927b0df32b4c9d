"""Every Kafka client (producer, consumers, admin, faust, the CLI's and the demo's) reaches a secured cluster with the
`KAFKA_SECURITY_*`/`KAFKA_SASL_*`/`KAFKA_SSL_CAFILE` settings, and the settings refuse incomplete combinations.
Construction does not connect: each client is caught when it starts, and its aiokafka client inspected."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import certifi
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.client import AIOKafkaClient
from faust.auth import SASLCredentials, SSLCredentials
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import ValidationError
from typer.testing import CliRunner

from tdkt_notify.settings import NotifySettings
from tdkt_shared import cli
from tdkt_shared.bus.consumer import AiokafkaConsumer
from tdkt_shared.bus.faust_consumer import FaustConsumer
from tdkt_shared.bus.kafka import client_security, ensure_topics, make_admin, make_consumer, make_producer
from tdkt_shared.runtime import ServiceDefinition
from tdkt_shared.settings import Settings, load_settings

CAFILE = Path(certifi.where())
SECURED = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_mechanism": "SCRAM-SHA-512",
    "kafka_sasl_username": "tdkt",
    "kafka_sasl_password": "s3cret",
    "kafka_ssl_cafile": str(CAFILE),
}


def secured(**overrides: Any) -> Settings:
    return load_settings("reporting", **{**SECURED, **overrides})


def assert_secured(client: AIOKafkaClient) -> None:
    assert client._security_protocol == "SASL_SSL"
    assert client._sasl_mechanism == "SCRAM-SHA-512"
    assert client._sasl_plain_username == "tdkt"
    assert client._sasl_plain_password == "s3cret"
    assert isinstance(client._ssl_context, ssl.SSLContext)
    assert client._ssl_context.verify_mode == ssl.CERT_REQUIRED


def discard(client: Any) -> None:
    client._closed = True  # never started: nothing to close (silences aiokafka's unclosed warning)


class Started(Exception):
    """Raised by a client's start instead of connecting; carries the client."""

    def __init__(self, client: Any) -> None:
        self.client = client


@pytest.fixture
def caught(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every aiokafka client started meanwhile, in order; starting raises `Started`."""
    started: list[Any] = []

    async def start(self: Any) -> None:
        started.append(self)
        discard(self)
        raise Started(self)

    for cls in (AIOKafkaConsumer, AIOKafkaProducer, AIOKafkaAdminClient):
        monkeypatch.setattr(cls, "start", start)
    return started


@pytest.fixture
def secured_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECURED.items():
        monkeypatch.setenv(name.upper(), value)


# --- settings


def test_plaintext_is_the_default_and_adds_nothing_else() -> None:
    settings = load_settings("registry")
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert client_security(settings) == {"security_protocol": "PLAINTEXT"}


def test_the_settings_are_read_from_the_environment_and_the_password_is_not_shown(secured_env: None) -> None:
    settings = load_settings("registry")
    assert settings.kafka_security_protocol == "SASL_SSL"
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert settings.kafka_ssl_cafile == CAFILE
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.model_dump())


def test_no_credential_of_the_stores_or_the_mail_server_shows_in_the_settings() -> None:
    settings = Settings(mongodb_url="mongodb://tdkt:m4t-khau@db.example:27017/?authSource=admin")
    assert "m4t-khau" not in repr(settings)
    assert settings.mongodb_url.startswith("mongodb://tdkt:m4t-khau@")  # still there to connect with
    assert "m4t-khau" not in repr(NotifySettings(smtp_password="m4t-khau"))


@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
@pytest.mark.parametrize("absent", ["kafka_sasl_mechanism", "kafka_sasl_username", "kafka_sasl_password"])
def test_sasl_needs_a_mechanism_a_username_and_a_password(protocol: str, absent: str) -> None:
    given = {k: v for k, v in SECURED.items() if k not in (absent, "kafka_ssl_cafile")}
    with pytest.raises(ValidationError, match=f"KAFKA_SECURITY_PROTOCOL={protocol} needs {absent.upper()}"):
        load_settings("registry", **{**given, "kafka_security_protocol": protocol})


@pytest.mark.parametrize("protocol", ["PLAINTEXT", "SSL"])
def test_a_mechanism_without_a_sasl_protocol_is_refused(protocol: str) -> None:
    with pytest.raises(ValidationError, match=rf"KAFKA_SASL_MECHANISM: only used with .* not {protocol}"):
        load_settings("registry", kafka_security_protocol=protocol, kafka_sasl_mechanism="PLAIN")


def test_credentials_without_a_sasl_protocol_are_refused() -> None:
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: only used with"):
        load_settings("registry", kafka_sasl_username="u", kafka_sasl_password="p")


def test_unknown_protocols_and_mechanisms_are_refused() -> None:
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        load_settings("registry", kafka_security_protocol="TLS")
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism"):
        secured(kafka_sasl_mechanism="GSSAPI")


def test_a_ca_file_needs_tls_and_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"KAFKA_SSL_CAFILE only applies with .* not SASL_PLAINTEXT"):
        secured(kafka_security_protocol="SASL_PLAINTEXT")
    with pytest.raises(ValidationError, match="is not a readable file"):
        secured(kafka_ssl_cafile=str(tmp_path / "missing.pem"))


def test_sasl_plaintext_has_no_tls_and_ssl_no_sasl() -> None:
    plain = client_security(secured(kafka_security_protocol="SASL_PLAINTEXT", kafka_ssl_cafile=None))
    assert plain["security_protocol"] == "SASL_PLAINTEXT"
    assert "ssl_context" not in plain
    assert plain["sasl_mechanism"] == "SCRAM-SHA-512"
    tls = client_security(load_settings("registry", kafka_security_protocol="SSL"))  # the system's CAs
    assert tls.keys() == {"security_protocol", "ssl_context"}


# --- every client construction site


async def test_the_relay_producer_is_secured() -> None:
    producer = make_producer(secured(), "relay")
    discard(producer)
    assert_secured(producer.client)


async def test_the_consumer_and_admin_factories_are_secured() -> None:
    consumer = make_consumer(secured(), group_id=None)
    discard(consumer)
    assert_secured(consumer._client)
    assert_secured(make_admin(secured())._client)


async def test_topic_creation_uses_a_secured_admin(caught: list[Any]) -> None:
    with pytest.raises(Started) as started:
        await ensure_topics(secured(), ["tdkt.x"])
    assert isinstance(started.value.client, AIOKafkaAdminClient)
    assert_secured(started.value.client._client)


async def test_the_aiokafka_transport_is_secured(caught: list[Any]) -> None:
    consumer = AiokafkaConsumer(secured(), ["tdkt.registry.events"], dispatch=None)  # type: ignore[arg-type]
    with pytest.raises(Started) as started:
        await consumer.start()
    assert_secured(started.value.client._client)


@pytest.mark.parametrize(
    ("overrides", "credentials", "protocol"),
    [
        ({}, SASLCredentials, "SASL_SSL"),
        ({"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_ssl_cafile": None}, SASLCredentials, "SASL_PLAINTEXT"),
        (
            {
                "kafka_security_protocol": "SSL",
                "kafka_sasl_mechanism": None,
                "kafka_sasl_username": None,
                "kafka_sasl_password": None,
            },
            SSLCredentials,
            "SSL",
        ),
    ],
)
async def test_the_faust_transport_is_given_the_same_credentials(
    overrides: dict[str, Any], credentials: type, protocol: str
) -> None:
    settings = secured(**overrides)
    consumer = FaustConsumer(settings, ["tdkt.registry.events"], dispatch=None)  # type: ignore[arg-type]
    try:
        given = consumer.app.conf.broker_credentials
        assert isinstance(given, credentials)
        # what faust's aiokafka driver hands its consumers and producers
        auth = credentials_to_aiokafka_auth(given, consumer.app.conf.ssl_context)
        expected = client_security(settings)
        assert auth["security_protocol"] == protocol
        for key in ("sasl_mechanism", "sasl_plain_username", "sasl_plain_password"):
            assert auth.get(key) == expected.get(key)
        assert isinstance(auth.get("ssl_context"), ssl.SSLContext) == ("ssl_context" in expected)
    finally:
        await consumer.stop()


async def test_faust_gets_no_credentials_on_plaintext() -> None:
    consumer = FaustConsumer(load_settings("reporting"), ["tdkt.registry.events"], dispatch=None)  # type: ignore[arg-type]
    try:
        assert consumer.app.conf.broker_credentials is None
    finally:
        await consumer.stop()


def test_the_cli_reads_dead_letters_with_a_secured_consumer(secured_env: None, caught: list[Any]) -> None:
    result = CliRunner().invoke(cli.app, ["dlq", "list", "--timeout", "0.1"])
    assert isinstance(result.exception, Started)
    assert_secured(result.exception.client._client)


def test_the_cli_requeues_with_a_secured_consumer_and_producer(
    secured_env: None, caught: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(cli.app, ["dlq", "requeue", "--timeout", "0.1"])
    assert isinstance(result.exception, Started)
    assert isinstance(caught[0], AIOKafkaConsumer)  # _end_offsets
    assert_secured(caught[0]._client)

    async def no_ends(_topics: list[str]) -> dict[Any, int]:
        return {}

    monkeypatch.setattr(cli, "_end_offsets", no_ends)
    result = CliRunner().invoke(cli.app, ["dlq", "requeue", "--timeout", "0.1"])
    assert isinstance(result.exception, Started)
    assert isinstance(result.exception.client, AIOKafkaProducer)
    assert_secured(result.exception.client.client)


class FakeRuntime:
    def __init__(self, _definition: ServiceDefinition, settings: Settings) -> None:
        self.settings, self.producer = settings, None

    async def start(self, _role: str) -> None:
        return None

    async def stop(self) -> None:
        return None


def test_the_cli_replays_with_a_secured_consumer(
    secured_env: None, caught: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = ServiceDefinition(name="x", title="X", collections=(), consumes=("tdkt.registry.events",))
    monkeypatch.setattr(cli, "definitions", lambda: {"x": definition})
    monkeypatch.setattr(cli, "Runtime", FakeRuntime)
    result = CliRunner().invoke(cli.app, ["replay", "x", "--timeout", "0.1"])
    assert isinstance(result.exception, Started)
    assert_secured(result.exception.client._client)


async def test_the_demo_event_log_is_secured(secured_env: None, caught: list[Any]) -> None:
    from tdkt_demo.events import EventLog

    with pytest.raises(Started) as started:
        await EventLog("kafka:9093", "run-1").start()
    assert_secured(started.value.client._client)
