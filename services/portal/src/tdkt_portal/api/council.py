"""The council's screens (Hội đồng Thi đua – Khen thưởng): the open sessions, where a member casts their own
secret ballot; dossiers before the council with their agenda, the typed totals of a vote (a session's tally per
nominee, recorded once), and the results. The secretary sends eligible dossiers to the council."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tdkt_portal.api.dossiers import ItemId, add_dossier_routes
from tdkt_portal.api.forms import IdField, PerNominee, Version
from tdkt_portal.api.refusals import back_on_refusal, reading
from tdkt_portal.api.web import FORM, FORM_RESPONSES, PAGE, BackendDep, User, back, for_roles, render
from tdkt_portal.backend import dossiers_in
from tdkt_shared.auth import Role

router = APIRouter(prefix="/hoi-dong", tags=["council"], responses=FORM_RESPONSES, dependencies=[PAGE])
CouncilRole = Annotated[User, for_roles(Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)]
add_dossier_routes(router, "council", "council/dossier.html", Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)
Member = Annotated[User, for_roles(Role.COUNCIL_MEMBER)]
Secretary = Annotated[User, for_roles(Role.COUNCIL_SECRETARY, Role.TDKT_SPECIALIST)]
Count = Annotated[int, Form(ge=0, le=1000)]


class Choice(StrEnum):
    """A member's choice on a nominee in a secret ballot (đồng ý / không đồng ý)."""

    YES = "YES"
    NO = "NO"


@router.get("", response_class=HTMLResponse, name="council_home")
async def home(request: Request, user: CouncilRole, backend: BackendDep) -> HTMLResponse:
    """The agenda (dossiers in council review), what the secretary may send, and the results so far."""
    statuses = ("COUNCIL_REVIEW", "ELIGIBLE", "PUBLIC_CONSULTATION", "APPROVED", "REJECTED", "DECIDED")
    by_status, sessions = await asyncio.gather(
        dossiers_in(backend, user.token, statuses),
        backend.get("awards", "/council-sessions", user.token, status="OPEN", limit=100),
    )
    return render(
        request,
        "council/home.html",
        title="Hội đồng Thi đua – Khen thưởng",
        agenda=by_status["COUNCIL_REVIEW"],
        to_send=by_status["ELIGIBLE"] + by_status["PUBLIC_CONSULTATION"],
        results=by_status["APPROVED"] + by_status["REJECTED"] + by_status["DECIDED"],
        sessions=sessions["items"],
    )


@router.get("/phien/{session_id}", response_class=HTMLResponse, name="council_session")
async def session(session_id: ItemId, request: Request, user: CouncilRole, backend: BackendDep) -> Response:
    """An open session's agenda: per dossier, whether this member has voted, else the secret ballot to cast."""
    with reading("Không mở được phiên họp"):
        found = await backend.get("awards", f"/council-sessions/{session_id}", user.token)
    return render(request, "council/session.html", title=f"Phiên họp {found['id']}", session=found)


@router.post("/phien/{session_id}/phieu", **FORM, name="council_ballot")
async def cast_ballot(
    session_id: ItemId,
    request: Request,
    user: Member,
    backend: BackendDep,
    nomination_id: IdField,
    nominee_id: PerNominee[str],
    choice: PerNominee[Choice],
) -> Response:
    """The member's own secret ballot on one dossier of the session (`POST /council-sessions/{id}/ballots`): a
    choice per nominee; awards checks the seat, the agenda and that it is the member's first ballot."""
    path = f"/hoi-dong/phien/{session_id}"
    if len(nominee_id) != len(choice):
        return back(request, path, "Phiếu biểu quyết không đủ dòng cho mỗi người được đề nghị.", error=True)
    body = {
        "nomination_id": nomination_id,
        "choices": [{"nominee_id": n, "choice": c.value} for n, c in zip(nominee_id, choice, strict=True)],
    }
    with back_on_refusal(path):
        await backend.post("awards", f"/council-sessions/{session_id}/ballots", user.token, body)
    return back(request, path, f"Đã bỏ phiếu kín cho hồ sơ {nomination_id}.")


@router.post("/ho-so/{nomination_id}/trinh", **FORM, name="council_send")
async def send(
    nomination_id: ItemId,
    request: Request,
    user: Secretary,
    backend: BackendDep,
    version: Version,
) -> Response:
    path = f"/hoi-dong/ho-so/{nomination_id}"
    with back_on_refusal(path):
        await backend.post("awards", f"/nominations/{nomination_id}/to-council", user.token, {"version": version})
    return back(request, path, "Đã đưa hồ sơ vào chương trình họp Hội đồng.")


@router.post("/ho-so/{nomination_id}/bieu-quyet", **FORM, name="council_vote")
async def vote(
    nomination_id: ItemId,
    request: Request,
    user: Member,
    backend: BackendDep,
    version: Version,
    session_id: IdField,
    held_on: Annotated[date, Form()],
    members_total: Annotated[int, Form(ge=1, le=1000)],
    attendees: Count,
    nominee_id: PerNominee[str],
    yes_present: PerNominee[int],
    no_present: PerNominee[int],
) -> Response:
    """The session's ballot: per nominee, the yes and no of the members present."""
    path = f"/hoi-dong/ho-so/{nomination_id}"
    if not len(nominee_id) == len(yes_present) == len(no_present):
        return back(request, path, "Phiếu biểu quyết không đủ dòng cho mỗi người được đề nghị.", error=True)
    ballots = [
        {"nominee_id": n, "yes_present": y, "no_present": no}
        for n, y, no in zip(nominee_id, yes_present, no_present, strict=True)
    ]
    body = {
        "version": version,
        "vote": {
            "session_id": session_id,
            "held_on": str(held_on),
            "members_total": members_total,
            "attendees": attendees,
            "ballots": ballots,
        },
    }
    with back_on_refusal(path):
        voted = await backend.post("awards", f"/nominations/{nomination_id}/council-votes", user.token, body)
    outcome = "thông qua" if voted["status"] == "APPROVED" else "không thông qua"
    return back(request, path, f"Đã ghi kết quả biểu quyết: Hội đồng {outcome}.")
