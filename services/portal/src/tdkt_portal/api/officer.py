"""The unit officer's screens: movements and registrations, reports due and overdue with the submit form, dossiers
with the eligibility explanation rule by rule, their files per checklist item and the documents issued. Every read
and write is the services' with the officer's own token (the services scope it to the officer's organisation)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tdkt_portal.api.dossiers import ItemId, add_dossier_routes
from tdkt_portal.api.forms import Version
from tdkt_portal.api.refusals import back_on_refusal, reading
from tdkt_portal.api.web import FORM, FORM_RESPONSES, PAGE, BackendDep, User, back, for_roles, render
from tdkt_shared.auth import Role

router = APIRouter(prefix="/don-vi", tags=["unit officer"], responses=FORM_RESPONSES, dependencies=[PAGE])
Officer = Annotated[User, for_roles(Role.UNIT_OFFICER)]
add_dossier_routes(router, "officer", "officer/dossier.html", Role.UNIT_OFFICER)
OPEN_REPORTS = ("DRAFT", "RETURNED")


@router.get("", response_class=HTMLResponse, name="officer_home")
async def home(request: Request, user: Officer, backend: BackendDep) -> HTMLResponse:
    """Reports due and overdue first (the work to do), then dossiers, registrations and the movements."""
    reports, nominations, registrations, movements = await asyncio.gather(
        backend.get("reporting", "/reports", user.token, limit=100),
        backend.get("awards", "/nominations", user.token, limit=100),
        backend.get("reporting", "/registrations", user.token, limit=100),
        backend.get("reporting", "/movements", limit=50),
    )
    open_ = [r for r in reports["items"] if r["status"] in OPEN_REPORTS]
    return render(
        request,
        "officer/home.html",
        title="Đơn vị của tôi",
        overdue=[r for r in open_ if r["overdue"]],  # the service derives it from the due date
        due=[r for r in open_ if not r["overdue"]],
        done=[r for r in reports["items"] if r["status"] not in OPEN_REPORTS],
        nominations=nominations["items"],
        registrations=registrations["items"],
        movements=movements["items"],
    )


@router.get("/bao-cao/{report_id}", response_class=HTMLResponse, name="officer_report")
async def report(report_id: ItemId, request: Request, user: Officer, backend: BackendDep) -> Response:
    with reading("Không mở được báo cáo"):
        found = await backend.get("reporting", f"/reports/{report_id}", user.token)
    return render(request, "officer/report.html", title=f"Báo cáo {found['period']}", report=found)


@router.post("/bao-cao/{report_id}/nop", **FORM, name="officer_submit_report")
async def submit_report(
    report_id: ItemId,
    request: Request,
    user: Officer,
    backend: BackendDep,
    version: Version,
    narrative: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    """Save the narrative (when it changed) and submit, each on the version the officer read."""
    path = f"/don-vi/bao-cao/{report_id}"
    with back_on_refusal(path):
        current = await backend.get("reporting", f"/reports/{report_id}", user.token)
        if narrative.strip() != current["content"]["narrative"].strip():
            content = {**current["content"], "narrative": narrative.strip()}
            edited = await backend.put(
                "reporting", f"/reports/{report_id}/content", user.token, {"version": version, "content": content}
            )
            version = edited["version"]
        submitted = await backend.post("reporting", f"/reports/{report_id}/submit", user.token, {"version": version})
    return back(request, path, f"Đã nộp báo cáo (lần nộp thứ {submitted['revision']}).")
