"""The press officer's screen: publication requests (đề nghị đăng tải) addressed to the officer's press body, each
with what to publish (the honour's public page when it is a grant)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tdkt_portal.api.web import FORM_RESPONSES, PAGE, RepositoriesDep, User, for_roles, render
from tdkt_portal.handlers import honourees

router = APIRouter(prefix="/bao-chi", tags=["press"], responses=FORM_RESPONSES, dependencies=[PAGE])
Press = Annotated[User, for_roles(honourees.PRESS_ROLE)]


@router.get("", response_class=HTMLResponse, name="press_home")
async def home(request: Request, user: Press, repositories: RepositoriesDep) -> HTMLResponse:
    requests = await honourees.requests_to(repositories, user.organization_id)
    return render(request, "press/home.html", title="Đề nghị đăng tải", requests=requests)
