"""The one settings class of every service, read from the environment (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

DEFAULT_PORTS = {"registry": 8001, "reporting": 8002, "awards": 8003, "notify": 8004, "portal": 8005}


class Settings(BaseSettings):
    """Connection and tuning settings; every field has an environment variable of the same name, upper-cased.

    The defaults reach the local stack (`scripts/stack.sh up`). Point `KAFKA_BOOTSTRAP_SERVERS` and `MONGODB_URL`
    at any Kafka cluster or MongoDB deployment to run the same code there.
    """

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    service_name: str = Field(default="registry", description="registry, reporting, awards or notify")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = Field(default=6, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_client_id_prefix: str = "tdkt"
    kafka_security_protocol: KafkaSecurityProtocol = Field(
        default="PLAINTEXT", description="how every Kafka client reaches the brokers: plain, TLS, SASL, SASL over TLS"
    )
    kafka_sasl_mechanism: KafkaSaslMechanism | None = Field(
        default=None, description="required with SASL_PLAINTEXT and SASL_SSL, refused otherwise"
    )
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="a PEM file of the CAs that sign the brokers' certificates; default: the system's"
    )
    kafka_events_retention_ms: int = Field(
        default=-1, ge=-1, description="how long the event topics a service creates keep records; -1: forever"
    )
    kafka_dlq_retention_ms: int = Field(
        default=30 * 24 * 3600 * 1000, ge=-1, description="how long the dead-letter topics it creates keep records"
    )
    mongodb_url: str = Field(default="mongodb://127.0.0.1:27017", repr=False)
    """May hold credentials: not in the settings' repr."""
    mongodb_database: str | None = Field(default=None, description="defaults to tdkt_<service>")
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, description="defaults to 8001..8004 by service")
    http_max_body_bytes: int = Field(default=1 << 20, ge=1024, description="larger request bodies get 413")
    http_max_upload_bytes: int = Field(
        default=10 << 20, ge=1024, description="larger uploaded files (PDF, DOCX, XLSX, images) get 413"
    )
    http_max_json_depth: int = Field(default=32, ge=2, description="deeper JSON request bodies get 422")
    bus_consumer: Literal["aiokafka", "faust"] = Field(
        default="aiokafka",
        description="the consumer transport behind the shared dispatcher: a plain aiokafka group member, or a "
        "faust-streaming agent (docs/benchmarks.md compares the two on the same work)",
    )
    consumer_group: str | None = Field(default=None, description="defaults to tdkt-<service>")
    consumer_max_attempts: int = Field(default=3, ge=1, description="handler attempts before dead-lettering")
    consumer_retry_backoff_ms: int = Field(default=200, ge=0)
    consumer_concurrency: int = Field(
        default=4, ge=1, description="records with different keys handled at once; one key's records stay in order"
    )
    consumer_batch_max: int = Field(default=200, ge=1, description="records taken from the bus at a time")
    consumer_batch_wait_ms: int = Field(
        default=50,
        ge=1,
        description="how long a batch waits to fill up: the broker's wait for a fetch (aiokafka), faust's batch window",
    )
    consumer_commit_interval_ms: int = Field(
        default=500,
        ge=1,
        description="handled offsets are committed at most this often, all partitions in one request, and at once "
        "when the consumer stops or gives partitions up; a crash re-delivers at most this much, which the idempotent "
        "handlers absorb",
    )
    relay_poll_interval_ms: int = Field(
        default=200,
        ge=10,
        description="how often the relay asks the store for pending outboxes that no hint covers "
        "(backing off to 10 times this while it finds none; always at start)",
    )
    read_cache_ttl_ms: int = Field(
        default=60000,
        ge=0,
        description="reference data (rules, templates, role holders, organisations) is read from memory until this "
        "process changes it (its consumer applying a bus event, or its API), and at most this long: the bound on how "
        "late a change by another process (a second instance, `tdkt replay`) shows here (0: off)",
    )
    relay_batch_size: int = Field(default=200, ge=1)
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = Field(default="json", description="json: one object per line")
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, description="an OTLP/HTTP collector, e.g. http://collector:4318; tracing is off without one"
    )

    @model_validator(mode="after")
    def _kafka_security_is_complete(self) -> Settings:
        protocol = self.kafka_security_protocol
        sasl = ("kafka_sasl_mechanism", "kafka_sasl_username", "kafka_sasl_password")
        if protocol.startswith("SASL_"):
            missing = [name.upper() for name in sasl if getattr(self, name) is None]
            if missing:
                raise ValueError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs {', '.join(missing)}")
        else:
            given = [name.upper() for name in sasl if getattr(self, name) is not None]
            if given:
                raise ValueError(
                    f"{', '.join(given)}: only used with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT or SASL_SSL, "
                    f"not {protocol}"
                )
        if self.kafka_ssl_cafile is not None:
            if not protocol.endswith("SSL"):
                raise ValueError(
                    f"KAFKA_SSL_CAFILE only applies with KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL, not {protocol}"
                )
            if not self.kafka_ssl_cafile.is_file():
                raise ValueError(f"KAFKA_SSL_CAFILE {self.kafka_ssl_cafile} is not a readable file")
        return self

    @property
    def database(self) -> str:
        return self.mongodb_database or f"tdkt_{self.service_name}"

    @property
    def port(self) -> int:
        return self.http_port or DEFAULT_PORTS.get(self.service_name, 8000)

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"tdkt-{self.service_name}"


def load_settings(service_name: str, **overrides: object) -> Settings:
    return Settings(service_name=service_name, **overrides)  # type: ignore[arg-type]
