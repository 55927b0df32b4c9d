"""Sign-in and sign-out: the OIDC authorization-code flow when an identity provider is configured; in development
mode (`AUTH_MODE=development`) a form that issues development tokens. The token lives in the signed session cookie."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import httpx
import jwt
from authlib.integrations.base_client.errors import OAuthError
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc.errors import JoseError

from tdkt_portal.api.web import FORM, FORM_RESPONSES, render, safe_next, session_keys
from tdkt_portal.settings import PortalSettings
from tdkt_shared.auth import Role, TokenVerifier, issue_token
from tdkt_shared.contract.text import Identifier

router = APIRouter(tags=["sign-in"], responses=FORM_RESPONSES, dependencies=[Depends(session_keys)])

log = logging.getLogger(__name__)

DEV_TOKEN_TTL_S = 8 * 3600
HOME_BY_ROLE = (
    (Role.TDKT_SPECIALIST, "/chuyen-vien"),
    (Role.COUNCIL_MEMBER, "/hoi-dong"),
    (Role.COUNCIL_SECRETARY, "/hoi-dong"),
    (Role.LEADER, "/lanh-dao"),
    (Role.PRESS_OFFICER, "/bao-chi"),
    (Role.UNIT_OFFICER, "/don-vi"),
)


def _settings(request: Request) -> PortalSettings:
    settings: PortalSettings = request.app.state.portal_settings
    return settings


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


def development(request: Request) -> bool:
    return _verifier(request).settings.mode == "development"


def home_for(roles: frozenset[Role]) -> str:
    for role, path in HOME_BY_ROLE:
        if role in roles:
            return path
    return "/chuyen-vien" if Role.ADMIN in roles else "/vinh-danh"


async def _signed_in(request: Request, token: str, next_path: str | None) -> Response:
    principal = await _verifier(request).principal(token)
    request.session.clear()  # a new session for the new user (no fixation)
    request.session["token"] = token
    target = safe_next(next_path) if next_path and next_path != "/" else home_for(principal.roles)
    return RedirectResponse(target, status_code=303)


@router.get("/dang-nhap", response_class=HTMLResponse, name="sign_in")
async def sign_in(request: Request, next: str | None = None) -> Response:
    """The OIDC provider's sign-in when configured; the development form in development mode."""
    oauth = getattr(request.app.state, "oauth", None)
    if oauth is not None:
        request.session["next"] = safe_next(next)
        redirect_uri = f"{_settings(request).public_url.rstrip('/')}/dang-nhap/oidc"
        try:
            answer: Response = await oauth.idp.authorize_redirect(request, redirect_uri)
        except PROVIDER_FAILURES as exc:
            return _provider_failed(request, exc)
        return answer
    if not development(request):
        return render(request, "message.html", 503, title="Chưa cấu hình đăng nhập", text="Cần OIDC_DISCOVERY_URL.")
    return render(request, "sign_in.html", next=safe_next(next), roles=list(Role))


@router.post("/dang-nhap", **FORM, name="dev_sign_in")
async def dev_sign_in(
    request: Request,
    subject: Annotated[Identifier, Form()],
    organization_id: Annotated[Identifier, Form()],
    role: Annotated[list[Role], Form(min_length=1, max_length=len(Role))],
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Development only: a token for the user, organisation and roles chosen (refused outside development mode)."""
    if not development(request):
        return render(request, "message.html", 404, title="Không có trang này", text="")
    token = issue_token(subject, organization_id, role, settings=_verifier(request).settings, ttl_s=DEV_TOKEN_TTL_S)
    return await _signed_in(request, token, next)


@router.get("/dang-nhap/oidc", response_class=HTMLResponse, name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    """The identity provider's redirect back: the access token is what the services verify."""
    oauth: Any = getattr(request.app.state, "oauth", None)
    if oauth is None:
        return render(request, "message.html", 404, title="Không có trang này", text="")
    try:
        answer = await oauth.idp.authorize_access_token(request)
        return await _signed_in(request, str(answer["access_token"]), request.session.get("next"))
    except (OAuthError, jwt.InvalidTokenError) as exc:
        return render(request, "message.html", 401, title="Đăng nhập không thành công", text=str(exc))
    except PROVIDER_FAILURES as exc:
        return _provider_failed(request, exc)


PROVIDER_FAILURES = (httpx.HTTPError, JoseError, KeyError, ValueError, TypeError, RuntimeError)
"""What Authlib raises when the identity provider cannot be reached, or answers what it cannot use (its discovery
document, token response or ID token)."""


def _provider_failed(request: Request, exc: Exception) -> Response:
    """503 when the identity provider does not answer, 502 when its answer is unusable; the details are logged."""
    unreachable = isinstance(exc, httpx.TransportError)
    log.warning("sign-in: the identity provider %s: %r", "did not answer" if unreachable else "answered badly", exc)
    text = (
        "Máy chủ định danh không trả lời. Hãy thử lại sau ít phút."
        if unreachable
        else "Máy chủ định danh trả lời không hợp lệ. Hãy báo cho quản trị hệ thống."
    )
    return render(request, "message.html", 503 if unreachable else 502, title="Chưa đăng nhập được", text=text)


@router.post("/dang-xuat", **FORM, name="sign_out")
async def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/vinh-danh", status_code=303)
