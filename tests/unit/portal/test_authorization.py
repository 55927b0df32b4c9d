"""Who sees which screen, written down independently of the code: every role against every screen. The services
decide every write again on the user's own token; the portal only keeps other roles' screens out of the way."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from tdkt_portal.service import DEFINITION
from tdkt_shared.auth import Role
from tests.authz import ALL_ROLES
from tests.unit.portal.conftest import Stack

R = Role
SCREENS: dict[str, frozenset[Role]] = {
    "/don-vi": frozenset({R.UNIT_OFFICER}),
    "/chuyen-vien": frozenset({R.TDKT_SPECIALIST}),
    "/hoi-dong": frozenset({R.COUNCIL_MEMBER, R.COUNCIL_SECRETARY}),
    "/lanh-dao": frozenset({R.LEADER, R.TDKT_SPECIALIST}),
    "/bao-chi": frozenset({R.PRESS_OFFICER}),
}
PUBLIC = ("/vinh-danh", "/dang-nhap")
REDIRECTS = ("/", "/dang-nhap/oidc")
"""The home (to the roll) and the identity provider's return (404 without OIDC set up)."""


def test_every_page_is_in_the_policy() -> None:
    """A new screen must be added here (and to the policy) before it ships."""
    pages = {
        route.path
        for router in DEFINITION.routers
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in (route.methods or set()) and "{" not in route.path
    }
    assert pages == set(SCREENS) | set(PUBLIC) | set(REDIRECTS)


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_each_role_sees_its_screens_only(stack: Stack, role: Role) -> None:
    await stack.sign_in(f"user-{role}", "so-noi-vu-bac-kan", role.value)
    for path, admitted in SCREENS.items():
        answer = await stack.portal.get(path)
        expected = 200 if role is Role.ADMIN or role in admitted else 403
        assert answer.status_code == expected, (role, path, answer.text[-500:])
    for path in PUBLIC:
        assert (await stack.portal.get(path)).status_code == 200


async def test_without_a_session_every_screen_sends_to_sign_in(stack: Stack) -> None:
    for path in SCREENS:
        answer = await stack.portal.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/dang-nhap?next=")
    assert (await stack.portal.get("/vinh-danh")).status_code == 200
