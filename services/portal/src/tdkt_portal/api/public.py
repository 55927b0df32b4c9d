"""The public honour roll (no sign-in): search by year, award, unit and name; a permanent page per honour."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tdkt_portal.api.web import FORM_RESPONSES, PAGE, RepositoriesDep, partial, render
from tdkt_portal.handlers import honourees

router = APIRouter(tags=["public"], responses=FORM_RESPONSES, dependencies=[PAGE])
PAGE_SIZE = 20
FILTER_ID = r"^([A-Za-z0-9][A-Za-z0-9._-]{0,79})?$"
"""An id, or empty for any."""
GrantId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse("/vinh-danh", status_code=307)


@router.get("/vinh-danh", response_class=HTMLResponse, name="honour_roll")
async def honour_roll(
    request: Request,
    repositories: RepositoriesDep,
    nam: Annotated[str, Query(pattern=r"^(19|20|21)?[0-9]{0,2}$", max_length=4, description="năm")] = "",
    danh_hieu: Annotated[str, Query(pattern=FILTER_ID, description="mã danh hiệu, hình thức khen thưởng")] = "",
    don_vi: Annotated[str, Query(pattern=FILTER_ID, description="đơn vị")] = "",
    q: Annotated[str, Query(max_length=100, description="tên")] = "",
    trang: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    """The filters come from a plain form: an empty field means any."""
    year = int(nam) if len(nam) == 4 else None
    wanted = honourees.Search(year=year, award_code=danh_hieu or None, organization_id=don_vi or None, text=q)
    roll: honourees.RollCache = request.app.state.roll_cache
    found = await roll.search(repositories, wanted, offset=(trang - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    context: dict[str, Any] = {
        "found": found,
        "wanted": wanted,
        "page": trang,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
    }
    if partial(request):
        return render(request, "honourees/_results.html", **context)
    return render(request, "honourees/list.html", years=await roll.years(repositories), **context)


@router.get("/vinh-danh/{grant_id}", response_class=HTMLResponse, name="honouree")
async def honouree(grant_id: GrantId, request: Request, repositories: RepositoriesDep) -> Response:
    roll: honourees.RollCache = request.app.state.roll_cache
    found = await roll.entry(repositories, grant_id)
    if found is None:
        text = "Không có khen thưởng nào ở địa chỉ này."
        return render(request, "message.html", 404, title="Không tìm thấy", text=text)
    entry, publication = found
    units: dict[str, str] = request.app.state.unit_names.known
    press = [(units.get(p.organization_id, p.organization_id), p.on) for p in publication.press] if publication else []
    award_names: dict[str, str] = request.app.state.award_names.known
    return render(
        request,
        "honourees/detail.html",
        entry=entry,
        unit=units.get(entry.organization_id or "", entry.organization_id),
        award_name=award_names.get(entry.award_code, entry.award_code),
        press=press,
    )
