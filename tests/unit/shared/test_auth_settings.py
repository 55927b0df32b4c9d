"""Secure by default: no key source, no service; the development key only in development mode; OIDC claims."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from tdkt_shared.auth import (
    DEV_SHARED_KEY,
    AuthConfigError,
    AuthSettings,
    Role,
    TokenVerifier,
    issue_token,
    load_auth_settings,
)
from tdkt_shared.runtime import InMemoryRuntime, ServiceDefinition, create_app
from tdkt_shared.runtime import main as run_service

REAL_KEY = "k" * 32


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("AUTH_MODE", "AUTH_SHARED_KEY", "AUTH_SHARED_KEY_FILE", "AUTH_JWKS_URL", "AUTH_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no key source: set AUTH_JWKS_URL"),
        ({"AUTH_SHARED_KEY": DEV_SHARED_KEY}, "the development key is public"),
        ({"AUTH_SHARED_KEY": "short"}, "32 bytes or more"),
        ({"AUTH_JWKS_URL": "https://idp.example/certs"}, "AUTH_JWKS_URL needs AUTH_ISSUER"),
        ({"AUTH_JWKS_URL": "https://idp.example/certs", "AUTH_ISSUER": "tdkt-dev"}, "AUTH_JWKS_URL needs AUTH_ISSUER"),
        ({"AUTH_SHARED_KEY_FILE": "/nonexistent/key"}, "cannot be read"),
    ],
)
def test_production_refuses_every_missing_or_known_key(
    production: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        production.setenv(name, value)
    with pytest.raises(AuthConfigError, match=message):
        load_auth_settings()


def test_production_takes_a_real_key_from_a_docker_secret(production: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "tdkt_auth_key"
    secret.write_text(REAL_KEY + "\n", encoding="utf-8")
    production.setenv("AUTH_SHARED_KEY_FILE", str(secret))
    settings = load_auth_settings()
    assert settings.signing_key() == REAL_KEY
    token = issue_token("u-1", "so-noi-vu", [Role.ADMIN], settings=settings)
    assert TokenVerifier(settings).verify(token).subject == "u-1"
    dev_token = jwt.encode(
        {"sub": "x", "org": "o", "roles": ["admin"], "iss": "tdkt-dev", "aud": "tdkt", "exp": 4_000_000_000},
        DEV_SHARED_KEY,
    )
    with pytest.raises(jwt.InvalidSignatureError):
        TokenVerifier(settings).verify(dev_token)


def test_a_service_without_a_key_refuses_to_start(
    production: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = ServiceDefinition(name="registry", title="t", collections=())
    with pytest.raises(AuthConfigError):
        create_app(definition, InMemoryRuntime(definition))
    with pytest.raises(SystemExit) as exited:
        run_service(definition, [])
    assert exited.value.code == 2
    assert "tdkt-registry: refusing to start: no key source" in capsys.readouterr().err


def test_the_development_mode_admits_the_development_key(production: pytest.MonkeyPatch) -> None:
    production.setenv("AUTH_MODE", "development")
    assert load_auth_settings().signing_key() == DEV_SHARED_KEY


def test_roles_and_organisation_come_from_configurable_claims() -> None:
    """Keycloak puts realm roles under realm_access.roles, beside its own roles, which the platform ignores."""
    settings = AuthSettings(shared_key=REAL_KEY, roles_claim="realm_access.roles", organization_claim="tdkt.org")
    claims = {
        "sub": "kc-user",
        "tdkt": {"org": "so-noi-vu-thai-nguyen"},
        "realm_access": {"roles": ["offline_access", "tdkt_specialist", "uma_authorization"]},
        "iss": settings.issuer,
        "aud": settings.audience,
        "exp": 4_000_000_000,
    }
    principal = TokenVerifier(settings).verify(jwt.encode(claims, REAL_KEY, algorithm="HS256"))
    assert principal.organization_id == "so-noi-vu-thai-nguyen"
    assert principal.roles == frozenset({Role.TDKT_SPECIALIST})
    without_org = {**claims, "tdkt": {}}
    with pytest.raises(jwt.InvalidTokenError, match="bad claims"):
        TokenVerifier(settings).verify(jwt.encode(without_org, REAL_KEY, algorithm="HS256"))


def test_the_seed_refuses_to_sign_without_a_key(production: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from tdkt_shared.cli import app

    result = CliRunner().invoke(app, ["seed"])
    assert result.exit_code == 2
    assert "run it with AUTH_MODE=development" in " ".join(result.output.split())
