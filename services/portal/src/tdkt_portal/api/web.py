"""What every page shares: the templates, the signed-in user, role guards, CSRF, the backend and rendering."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jwt
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from tdkt_portal import labels
from tdkt_portal.backend import Backend, BackendError
from tdkt_portal.store import Repositories
from tdkt_shared.auth import Principal, Role, TokenVerifier, UnknownSigningKey

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
TEMPLATES.env.globals["labels"] = labels
TEMPLATES.env.filters["day"] = labels.day
TEMPLATES.env.filters["status"] = labels.status
TEMPLATES.env.filters["role"] = labels.role
TEMPLATES.env.filters["rule"] = labels.rule
TEMPLATES.env.filters["action"] = labels.action

CSRF_FIELD = "csrf_token"
FORM_PAGES = frozenset({"sign_in.html"})
"""Pages with a form for a visitor who is not signed in."""
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class User:
    principal: Principal
    token: str

    def has(self, *roles: Role) -> bool:
        return self.principal.has(*roles)

    @property
    def organization_id(self) -> str:
        return self.principal.organization_id


class SignInNeeded(Exception):
    """No (valid) session: the user is sent to the sign-in page and back."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class NotYours(Exception):
    """Signed in, but this screen is for other roles (403)."""


class CsrfRefused(Exception):
    """A form post without this session's CSRF token (403); nothing is forwarded."""


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


def signed_in_user(request: Request) -> User | None:
    token = request.session.get("token")
    if not isinstance(token, str):
        return None
    try:
        return User(_verifier(request).verify(token), token)
    except UnknownSigningKey:  # the provider's keys not fetched yet on this page: signed out on it, not ended
        return None
    except jwt.InvalidTokenError:
        request.session.pop("token", None)
        return None


def for_roles(*roles: Role) -> Any:
    """A dependency: the signed-in user holding one of `roles` (admins always); else sign-in or 403."""

    async def dependency(request: Request) -> User:
        await session_keys(request)
        user = signed_in_user(request)
        if user is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInNeeded(path)
        if not user.has(*roles):
            raise NotYours()
        return user

    return Depends(dependency)


def csrf_token(request: Request) -> str:
    """This session's token, made on first use; every form carries it, htmx sends it as a header."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def checked_csrf(request: Request) -> None:
    """Refuse a write whose form field or header does not repeat the session's token (synchronizer token)."""
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or sent is None or not secrets.compare_digest(expected, sent):
        raise CsrfRefused()


CSRF: Any = Depends(checked_csrf)


async def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


async def _repositories(request: Request) -> Repositories:
    return Repositories.of(request.app.state.runtime)


BackendDep = Annotated[Backend, Depends(_backend)]


async def session_keys(request: Request) -> None:
    """The identity provider's keys brought up to date for the session's token, so that the page's own checks
    (`signed_in_user`) never wait on the network."""
    token = request.session.get("token")
    if isinstance(token, str):
        with contextlib.suppress(jwt.InvalidTokenError):
            await _verifier(request).principal(token)


async def page_context(request: Request) -> None:
    """What every page needs besides its own data: the session's keys, and award and organisation names (cached) to
    show instead of codes and ids."""
    await session_keys(request)
    await request.app.state.award_names.get(request.app.state.backend)
    await request.app.state.unit_names.get(Repositories.of(request.app.state.runtime))


PAGE: Any = Depends(page_context)
RepositoriesDep = Annotated[Repositories, Depends(_repositories)]


def safe_next(path: str | None) -> str:
    """Only a local path: never an open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    user = signed_in_user(request)
    context.setdefault("today", date.today())
    context.setdefault("award_names", request.app.state.award_names.known)
    context.setdefault("units", request.app.state.unit_names.known)
    context.setdefault("flash", flash(request))
    # an anonymous visitor of the public pages gets no session (no cookie); a form page or a signed-in user does
    csrf = csrf_token(request) if user is not None or template in FORM_PAGES else request.session.get("csrf", "")
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"user": user, "csrf": csrf, "path": request.url.path, **context},
        status_code=status_code,
    )


def partial(request: Request) -> bool:
    """An htmx request wants the fragment, not the page."""
    return request.headers.get("HX-Request") == "true"


def back(request: Request, path: str, message: str, *, error: bool = False) -> Response:
    """After a form post: a flash message and a redirect (303) to `path` (htmx follows it with HX-Redirect)."""
    request.session["flash"] = {"text": message, "error": error}
    if partial(request):
        return Response(status_code=204, headers={"HX-Redirect": path})
    return RedirectResponse(path, status_code=303)


def flash(request: Request) -> dict[str, Any] | None:
    found = request.session.pop("flash", None)
    return found if isinstance(found, dict) else None


def failed(exc: BackendError) -> str:
    where = f" (trường {exc.field})" if exc.field else ""
    return f"Không thực hiện được: {exc.detail}{where}"


def sign_in_path(next_path: str) -> str:
    return f"/dang-nhap?next={quote(next_path, safe='')}"


_HTML: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}
_PROBLEM: dict[str, Any] = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "Not signed in: to the sign-in page and back"},
    400: {"description": "A malformed form body", "content": _PROBLEM},
    401: {"description": "The identity provider's sign-in failed", "content": _HTML},
    403: {"description": "Another role's screen, or a form without the session's CSRF token", "content": _HTML},
    404: {"description": "Not found (or not this deployment's sign-in)", "content": _HTML},
    409: {"description": "Refused by the service that owns the item", "content": _HTML},
    422: {"description": "Invalid input", "content": {**_PROBLEM, **_HTML}},
    503: {"description": "A service did not answer", "content": _HTML},
}
"""What a page can answer besides itself; forms answer 303 (back to the page, with the outcome) or 204 to htmx."""
FORM_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PAGE_RESPONSES,
    204: {"description": "To htmx: the outcome is in the session, HX-Redirect names the page"},
}

FORM: dict[str, Any] = {"status_code": 303, "response_class": Response, "dependencies": [CSRF]}
"""A form post's route: 303 back to a page, and the session's CSRF token required."""
