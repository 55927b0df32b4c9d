"""Sign-in: development tokens only in development mode; the session cookie is signed, HttpOnly and SameSite; forms
need the session's CSRF token; screens need their roles."""

from __future__ import annotations

import pytest

from tdkt_portal.service import session_secret
from tdkt_portal.settings import PortalSettings
from tdkt_shared.auth import AuthConfigError
from tests.unit.portal.conftest import Stack, csrf_of


async def test_dev_sign_in_sets_a_hardened_cookie_and_goes_to_the_role_home(stack: Stack) -> None:
    page = await stack.portal.get("/dang-nhap")
    assert page.status_code == 200
    assert '<label for="subject">' in page.text
    answer = await stack.portal.post(
        "/dang-nhap",
        data={"csrf_token": csrf_of(page.text), "subject": "ha", "organization_id": "so-y-te", "role": "unit_officer"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/don-vi"
    cookie = answer.headers["set-cookie"].lower()
    assert "tdkt_portal=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


async def test_a_form_without_the_session_csrf_token_is_refused(stack: Stack) -> None:
    await stack.portal.get("/dang-nhap")
    answer = await stack.portal.post(
        "/dang-nhap", data={"csrf_token": "forged", "subject": "ha", "organization_id": "so-y-te", "role": "admin"}
    )
    assert answer.status_code == 403
    assert "tdkt_portal=" not in answer.headers.get("set-cookie", "") or "token" not in answer.text


async def test_next_is_a_local_path_only(stack: Stack) -> None:
    page = await stack.portal.get("/dang-nhap")
    answer = await stack.portal.post(
        "/dang-nhap",
        data={
            "csrf_token": csrf_of(page.text),
            "subject": "ha",
            "organization_id": "so-y-te",
            "role": "unit_officer",
            "next": "//evil.example/x",
        },
    )
    assert answer.headers["location"] == "/"


async def test_sign_out_ends_the_session(stack: Stack) -> None:
    await stack.sign_in("ha", "so-y-te", "tdkt_specialist")
    token = await stack.csrf()
    assert (await stack.portal.post("/dang-xuat", data={"csrf_token": token})).status_code == 303
    assert "Đăng nhập</a>" in (await stack.portal.get("/vinh-danh")).text


def test_outside_development_the_session_needs_a_real_secret() -> None:
    with pytest.raises(AuthConfigError, match="SESSION_SECRET"):
        session_secret(PortalSettings(), development=False)
    with pytest.raises(AuthConfigError, match="32 bytes"):
        session_secret(PortalSettings(session_secret="short"), development=False)
    assert session_secret(PortalSettings(session_secret="x" * 32), development=False) == "x" * 32
    assert len(session_secret(PortalSettings(), development=True)) >= 32
