"""The portal's own settings (environment variables, upper-cased); connections and auth are the shared ones."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    registry_url: str = "http://127.0.0.1:8001"
    reporting_url: str = "http://127.0.0.1:8002"
    awards_url: str = "http://127.0.0.1:8003"
    notify_url: str = "http://127.0.0.1:8004"
    api_timeout_s: float = Field(default=10, gt=0, description="bound on one call to a service")
    session_secret: str | None = Field(
        default=None,
        repr=False,
        description="signs the session cookie (32 bytes or more); required outside AUTH_MODE=development",
    )
    session_secret_file: Path | None = Field(
        default=None, description="a file holding the session secret (a Docker secret); instead of SESSION_SECRET"
    )
    session_max_age_s: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    session_https_only: bool | None = Field(
        default=None, description="send the session cookie over HTTPS only; unset: when PUBLIC_URL is https"
    )
    oidc_discovery_url: str | None = Field(
        default=None, description="the identity provider's .well-known/openid-configuration; enables OIDC sign-in"
    )
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_scope: str = "openid profile"
    public_url: str = Field(default="http://127.0.0.1:8005", description="where users reach the portal")
    catalogue_ttl_s: float = Field(default=300, ge=0, description="how long award names are kept in memory")
    roll_cache_ttl_s: float = Field(
        default=10, ge=0, description="how long an answer of the public roll is reused (a new grant shows within it)"
    )
    names_ttl_s: float = Field(default=5, ge=0, description="how long organisation names are kept in memory")

    @property
    def secure_cookie(self) -> bool:
        """Whether the session cookie is `Secure`: as set, else whether users reach the portal over HTTPS."""
        if self.session_https_only is not None:
            return self.session_https_only
        return self.public_url.lower().startswith("https://")


def load_portal_settings() -> PortalSettings:
    return PortalSettings()
