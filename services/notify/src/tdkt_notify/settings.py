"""Settings of the notification channels and the delivery worker (environment variables, upper-cased)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", env_ignore_empty=True)
    """An empty variable is an unset one (compose passes `${SMTP_PORT:-}` through as "")."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_start_tls: bool | None = Field(
        default=None,
        description="unset: STARTTLS when the server offers it (aiosmtplib's default); true: require it; false: never",
    )
    smtp_use_tls: bool = Field(default=False, description="implicit TLS from the first byte (SMTPS, usually port 465)")
    mail_from: str = "thongbao@tdkt.local"
    delivery_max_attempts: int = Field(default=5, ge=1, description="attempts before a delivery is FAILED")
    delivery_attempt_timeout_s: float = Field(default=10, gt=0, description="bound on one send")
    delivery_backoff_initial_s: float = Field(default=1, ge=0)
    delivery_backoff_max_s: float = Field(default=60, ge=0)
    delivery_backoff_jitter_s: float = Field(default=1, ge=0)
    delivery_concurrency: int = Field(default=8, ge=1, description="sends in flight at once")
    delivery_poll_interval_ms: int = Field(
        default=60_000,
        ge=10,
        description="how often the agenda of open deliveries is read for due ones and lapsed leases; new start at once",
    )
    digest_hour: int = Field(default=8, ge=0, le=23, description="local hour (UTC+7) of the daily digest e-mail")
    delivery_lease_s: float = Field(default=300, gt=0, description="after this a crashed worker's delivery is resumed")

    @model_validator(mode="after")
    def _one_kind_of_tls(self) -> Self:
        if self.smtp_use_tls and self.smtp_start_tls:
            raise ValueError(
                "SMTP_USE_TLS (implicit TLS) and SMTP_START_TLS=true exclude each other: "
                "set one of them (leave SMTP_START_TLS unset or false with SMTP_USE_TLS)"
            )
        return self


def load_notify_settings(**overrides: object) -> NotifySettings:
    return NotifySettings(**overrides)  # type: ignore[arg-type]
