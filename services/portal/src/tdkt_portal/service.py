"""The portal as a service definition (read models, consumers, pages) and its runtime: the shared one plus the
HTTP clients to the four services; the app adds the session cookie, the static files and HTML error pages."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tdkt_portal import consumers, store
from tdkt_portal.api import council, leader, officer, press, public, signin, specialist
from tdkt_portal.api.refusals import Refused, Unavailable
from tdkt_portal.api.web import CsrfRefused, NotYours, SignInNeeded, back, failed, render, sign_in_path
from tdkt_portal.backend import Backend, BackendError
from tdkt_portal.handlers.honourees import RollCache
from tdkt_portal.names import AwardChecklists, AwardNames, UnitNames
from tdkt_portal.settings import PortalSettings, load_portal_settings
from tdkt_shared.auth import AuthConfigError
from tdkt_shared.kit.definition import service_definition
from tdkt_shared.observability import tracing
from tdkt_shared.observability.logs import configure_logging
from tdkt_shared.runtime import AnyRuntime, Role, Runtime, ServiceDefinition, create_app, tune_gc
from tdkt_shared.settings import Settings, load_settings

STATIC = Path(__file__).parent / "static"
MIN_SECRET_BYTES = 32

DEFINITION = service_definition(
    "portal",
    "TĐKT portal",
    store,
    consumers,
    routers=[
        public.router,
        signin.router,
        officer.router,
        specialist.router,
        council.router,
        leader.router,
        press.router,
    ],
)


class PortalRuntime(Runtime):
    """The shared runtime (read models, consumers), the portal's settings and its clients to the services."""

    def __init__(
        self,
        definition: ServiceDefinition = DEFINITION,
        settings: Settings | None = None,
        portal_settings: PortalSettings | None = None,
    ) -> None:
        super().__init__(definition, settings)
        self.portal_settings = portal_settings or load_portal_settings()
        self.backend = Backend.from_settings(self.portal_settings)

    async def stop(self) -> None:
        await self.backend.close()
        await super().stop()


SESSION_KEY_LABEL = b"tdkt-portal-session-v1"


def session_secret(settings: PortalSettings, development: bool) -> str:
    """The cookie's signing key, derived (HMAC-SHA256 with the portal's own label) from SESSION_SECRET or the file
    SESSION_SECRET_FILE names, 32 bytes or more: a secret shared with other uses (compose gives the token key's file)
    still signs cookies with a key of its own. Required outside development; a random one in development."""
    given = settings.session_secret
    if given is None and settings.session_secret_file is not None:
        try:
            given = settings.session_secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise AuthConfigError(f"SESSION_SECRET_FILE {settings.session_secret_file} cannot be read: {exc}") from exc
    if given:
        if len(given.encode()) < MIN_SECRET_BYTES:
            raise AuthConfigError(f"SESSION_SECRET must be {MIN_SECRET_BYTES} bytes or more")
        return hmac.new(given.encode(), SESSION_KEY_LABEL, hashlib.sha256).hexdigest()
    if development:
        return secrets.token_urlsafe(32)
    raise AuthConfigError(
        "no SESSION_SECRET: set it (32 bytes or more), or SESSION_SECRET_FILE naming a file that holds it"
    )


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
]


class SecurityHeaders:
    """Every answer says: no sniffing, no framing, scripts and styles from the portal only (plain ASGI: no extra task
    per request, unlike a decorator middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_portal(
    runtime: AnyRuntime, portal_settings: PortalSettings, backend: Backend, role: Role = "all"
) -> FastAPI:
    """The shared app (health, metrics, limits, consumers' runtime) with the portal's pages and cookie session."""
    app = create_app(DEFINITION, runtime, role)
    verifier = app.state.token_verifier
    development = verifier.settings.mode == "development"
    app.state.portal_settings = portal_settings
    app.state.backend = backend
    app.state.award_names = AwardNames(portal_settings.catalogue_ttl_s)
    app.state.checklists = AwardChecklists(portal_settings.catalogue_ttl_s)
    app.state.unit_names = UnitNames(portal_settings.names_ttl_s)
    app.state.roll_cache = RollCache(portal_settings.roll_cache_ttl_s)
    if portal_settings.oidc_discovery_url:
        from authlib.integrations.starlette_client import OAuth

        oauth = OAuth()
        oauth.register(
            "idp",
            client_id=portal_settings.oidc_client_id,
            client_secret=portal_settings.oidc_client_secret,
            server_metadata_url=portal_settings.oidc_discovery_url,
            client_kwargs={"scope": portal_settings.oidc_scope, "timeout": portal_settings.api_timeout_s},
        )
        app.state.oauth = oauth
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(portal_settings, development),
        session_cookie="tdkt_portal",
        max_age=portal_settings.session_max_age_s,
        same_site="lax",
        https_only=portal_settings.secure_cookie,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(_: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(sign_in_path(exc.next_path), status_code=303)

    @app.exception_handler(NotYours)
    async def not_yours(request: Request, _: NotYours) -> Response:
        text = "Màn hình này dành cho vai trò khác. Hãy đăng nhập bằng tài khoản phù hợp."
        return render(request, "message.html", 403, title="Không có quyền truy cập", text=text)

    @app.exception_handler(BackendError)
    async def backend_failed(request: Request, exc: BackendError) -> Response:
        """A page whose reads a service refused or could not answer: what it said, never a bare 500."""
        status = exc.status if 400 <= exc.status < 500 else 503
        return render(request, "message.html", status, title="Không tải được trang", text=failed(exc))

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> Response:
        return render(request, "message.html", exc.cause.status, title=exc.title, text=failed(exc.cause))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return back(request, exc.path, failed(exc.cause), error=True)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        text = "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang và thử lại."
        return render(request, "message.html", 403, title="Yêu cầu bị từ chối", text=text)

    app.add_middleware(SecurityHeaders)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """The `tdkt-portal` command: `tdkt-portal [--role all|api|worker]`."""
    parser = argparse.ArgumentParser(prog="tdkt-portal", description=DEFINITION.title)
    parser.add_argument("--role", choices=["all", "api", "worker"], default="all")
    args = parser.parse_args(argv)
    settings = load_settings(DEFINITION.name)
    configure_logging(DEFINITION.name, settings.log_level, settings.log_format)
    tracing.configure_tracing(DEFINITION.name, settings.otel_exporter_otlp_endpoint)
    portal_settings = load_portal_settings()
    try:
        runtime = PortalRuntime(DEFINITION, settings, portal_settings)
        app = create_portal(runtime, portal_settings, runtime.backend, args.role)
    except AuthConfigError as exc:
        parser.exit(2, f"tdkt-portal: refusing to start: {exc}\n")
    tune_gc()
    uvicorn.run(app, host=settings.http_host, port=settings.port, loop="uvloop", http="httptools", log_config=None)
