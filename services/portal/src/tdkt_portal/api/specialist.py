"""The TĐKT specialist's screens: dossiers to receive, appraise or return, consultation windows and their comments,
holds; reports submitted to accept or return. Each step is the awards or reporting API's, with the user's token."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tdkt_portal.api.dossiers import ItemId, add_dossier_routes
from tdkt_portal.api.forms import Version
from tdkt_portal.api.refusals import back_on_refusal
from tdkt_portal.api.web import FORM, FORM_RESPONSES, PAGE, BackendDep, User, back, for_roles, render
from tdkt_portal.backend import dossiers_in
from tdkt_shared.auth import Role

router = APIRouter(prefix="/chuyen-vien", tags=["specialist"], responses=FORM_RESPONSES, dependencies=[PAGE])
Specialist = Annotated[User, for_roles(Role.TDKT_SPECIALIST)]
add_dossier_routes(router, "specialist", "specialist/dossier.html", Role.TDKT_SPECIALIST)

QUEUES = (
    ("SUBMITTED", "Chờ tiếp nhận"),
    ("RECEIVED", "Đã tiếp nhận, chờ thẩm định"),
    ("UNDER_APPRAISAL", "Đang thẩm định"),
    ("ELIGIBLE", "Đủ điều kiện: lấy ý kiến hoặc trình Hội đồng"),
    ("PUBLIC_CONSULTATION", "Đang lấy ý kiến Nhân dân"),
    ("ON_HOLD", "Tạm dừng xét"),
)


class Step(StrEnum):
    """The awards API's step each button takes (`POST /nominations/{id}/<step>`)."""

    RECEIVE = "receive"
    START_APPRAISAL = "start-appraisal"
    APPRAISE = "appraise"
    CONSULTATION = "consultation"
    TO_COUNCIL = "to-council"
    HOLD = "hold"
    RELEASE = "release"


DONE = {
    Step.RECEIVE: "Đã tiếp nhận hồ sơ.",
    Step.START_APPRAISAL: "Đã bắt đầu thẩm định.",
    Step.APPRAISE: "Đã thẩm định hồ sơ.",
    Step.CONSULTATION: "Đã mở lấy ý kiến Nhân dân.",
    Step.TO_COUNCIL: "Đã trình Hội đồng Thi đua – Khen thưởng.",
    Step.HOLD: "Đã tạm dừng xét hồ sơ.",
    Step.RELEASE: "Đã tiếp tục xét hồ sơ.",
}


@router.get("", response_class=HTMLResponse, name="specialist_home")
async def home(request: Request, user: Specialist, backend: BackendDep) -> HTMLResponse:
    found, reports = await asyncio.gather(
        dossiers_in(backend, user.token, [s for s, _ in QUEUES]),
        backend.get("reporting", "/reports", user.token, status="SUBMITTED", limit=100),
    )
    return render(
        request,
        "specialist/home.html",
        title="Thẩm định hồ sơ",
        queues=[(label, found[s]) for s, label in QUEUES],
        reports=reports["items"],
    )


@router.post("/ho-so/{nomination_id}/{step}", **FORM, name="specialist_step")
async def take_step(
    nomination_id: ItemId,
    step: Step,
    request: Request,
    user: Specialist,
    backend: BackendDep,
    version: Version,
    reason: Annotated[str | None, Form(max_length=500)] = None,
    channel: Annotated[str | None, Form(max_length=200)] = None,
    start: Annotated[date | None, Form()] = None,
    council_session_on: Annotated[date | None, Form()] = None,
) -> Response:
    body: dict[str, Any] = {"version": version}
    if reason:
        body["reason"] = reason
    if step is Step.CONSULTATION:
        body |= {"channel": channel or "Cổng thông tin điện tử tỉnh", "start": str(start or date.today())}
    if step is Step.TO_COUNCIL and council_session_on is not None:
        body["council_session_on"] = str(council_session_on)
    path = f"/chuyen-vien/ho-so/{nomination_id}"
    with back_on_refusal(path):
        await backend.post("awards", f"/nominations/{nomination_id}/{step}", user.token, body)
    return back(request, path, DONE[step])


class ReportStep(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"


@router.post("/bao-cao/{report_id}/{step}", **FORM, name="specialist_report_step")
async def report_step(
    report_id: ItemId,
    step: ReportStep,
    request: Request,
    user: Specialist,
    backend: BackendDep,
    version: Version,
    reason: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    body: dict[str, Any] = {"version": version}
    if step is ReportStep.RETURN:
        body["reason"] = reason or ""
    with back_on_refusal("/chuyen-vien"):
        await backend.post("reporting", f"/reports/{report_id}/{step}", user.token, body)
    done = "Đã chấp nhận báo cáo." if step is ReportStep.ACCEPT else "Đã trả lại báo cáo."
    return back(request, "/chuyen-vien", f"{done} ({report_id})")
