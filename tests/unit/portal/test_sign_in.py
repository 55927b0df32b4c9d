"""Sign-in: development tokens only in development mode; the session cookie is signed, HttpOnly and SameSite; forms
need the session's CSRF token; screens need their roles."""

from __future__ import annotations

from pathlib import Path

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
    derived = session_secret(PortalSettings(session_secret="x" * 32), development=False)
    assert len(derived) == 64
    assert "x" * 32 not in derived  # a key of its own, not the shared secret itself
    assert session_secret(PortalSettings(session_secret="x" * 32), development=True) == derived
    assert len(session_secret(PortalSettings(), development=True)) >= 32


def test_the_session_secret_can_come_from_a_file(tmp_path: Path) -> None:
    key = tmp_path / "auth.key"
    key.write_text("k" * 64 + "\n", encoding="utf-8")
    from_file = session_secret(PortalSettings(session_secret_file=key), development=False)
    assert from_file == session_secret(PortalSettings(session_secret="k" * 64), development=False)
    with pytest.raises(AuthConfigError, match="cannot be read"):
        session_secret(PortalSettings(session_secret_file=tmp_path / "missing"), development=False)


async def test_an_anonymous_visitor_gets_no_cookie_and_every_answer_the_security_headers(stack: Stack) -> None:
    answer = await stack.portal.get("/vinh-danh")
    assert "set-cookie" not in answer.headers
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert (answer.headers["x-frame-options"], answer.headers["x-content-type-options"]) == ("DENY", "nosniff")
    assert "tdkt_portal=" in (await stack.portal.get("/dang-nhap")).headers["set-cookie"]  # a form: a session
