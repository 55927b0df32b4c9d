"""Decisions (quyết định khen thưởng): dossiers the council approved, awaiting the competent authority's signature.
The leader signs them here (awards records the leader as the signer); the TĐKT specialist may instead enter a decision
signed on paper. Signed decisions are documents to read, print and download, with the PDFs issued for their dossier."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tdkt_portal.api.dossiers import FILE_RESPONSES, DocumentId, ItemId, document_download
from tdkt_portal.api.forms import IdField, Version
from tdkt_portal.api.refusals import back_on_refusal, reading
from tdkt_portal.api.web import FORM, FORM_RESPONSES, PAGE, BackendDep, User, back, for_roles, render
from tdkt_shared.auth import Role

router = APIRouter(prefix="/lanh-dao", tags=["decisions"], responses=FORM_RESPONSES, dependencies=[PAGE])
Signer = Annotated[User, for_roles(Role.LEADER, Role.TDKT_SPECIALIST)]
"""The leader, who signs; the specialist, who enters a decision signed on paper."""

SIGNERS = {
    "PROVINCE_CHAIRMAN": "Chủ tịch UBND tỉnh",
    "DEPARTMENT_DIRECTOR": "Giám đốc Sở",
    "DISTRICT_CHAIRMAN": "Chủ tịch UBND cấp huyện",
    "COMMUNE_CHAIRMAN": "Chủ tịch UBND cấp xã",
}


def signs(user: User) -> bool:
    """The user signs decisions (a leader), rather than entering ones signed on paper."""
    return Role.LEADER in user.principal.roles


@router.get("", response_class=HTMLResponse, name="decisions_home")
async def home(request: Request, user: Signer, backend: BackendDep) -> HTMLResponse:
    approved, decided = await asyncio.gather(
        backend.get("awards", "/nominations", user.token, status="APPROVED", limit=100),
        backend.get("awards", "/nominations", user.token, status="DECIDED", limit=100),
    )
    return render(
        request,
        "leader/home.html",
        title="Quyết định chờ ký" if signs(user) else "Quyết định khen thưởng",
        signs=signs(user),
        approved=approved["items"],
        decided=decided["items"],
        signers=SIGNERS,
    )


@router.post("/ho-so/{nomination_id}/quyet-dinh", **FORM, name="decide")
async def decide(
    nomination_id: ItemId,
    request: Request,
    user: Signer,
    backend: BackendDep,
    version: Version,
    decision_id: IdField,
    number: Annotated[str, Form(min_length=1, max_length=100)],
    signed_on: Annotated[date, Form()],
    signer_role: Annotated[str, Form(pattern="^(" + "|".join(SIGNERS) + ")$")],
) -> Response:
    body = {
        "version": version,
        "decision_id": decision_id,
        "number": number,
        "date": str(signed_on),
        "signer_role": signer_role,
    }
    with back_on_refusal("/lanh-dao"):
        await backend.post("awards", f"/nominations/{nomination_id}/decision", user.token, body)
    done = "Đã ký" if signs(user) else "Đã ghi"
    return back(request, f"/lanh-dao/quyet-dinh/{decision_id}", f"{done} Quyết định số {number}.")


@router.get("/quyet-dinh/{decision_id}", response_class=HTMLResponse, name="decision")
async def decision(decision_id: ItemId, request: Request, user: Signer, backend: BackendDep) -> Response:
    """The decision as a document to read and print (its grants, the bonus from the base salary in force), with the
    documents issued for its dossier (the decision's PDF, the certificates) to download."""
    with reading("Không mở được quyết định"):
        found = await backend.get("awards", f"/decisions/{decision_id}", user.token)
        nomination_id = found.get("nomination_id")
        documents = (
            await backend.get("awards", f"/nominations/{nomination_id}/documents", user.token) if nomination_id else []
        )
    return render(
        request,
        "leader/decision.html",
        title=f"Quyết định {found['number']}",
        decision=found,
        documents=documents,
        signers=SIGNERS,
    )


@router.get("/ho-so/{nomination_id}/van-ban/{document_id}", responses=FILE_RESPONSES, name="decision_document")
async def decision_document(
    request: Request, nomination_id: ItemId, document_id: DocumentId, user: Signer, backend: BackendDep
) -> Response:
    """A document issued for a decided dossier (the decision, a certificate), as awards serves it to the user."""
    return await document_download(request, user, backend, nomination_id, document_id)


@router.get("/quyet-dinh/{decision_id}/tai-ve", name="decision_download")
async def download(decision_id: ItemId, user: Signer, backend: BackendDep) -> Response:
    """The decision's record as a JSON file (what the awards service holds), for the archive."""
    found = await backend.get("awards", f"/decisions/{decision_id}", user.token)
    return Response(
        json.dumps(found, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="quyet-dinh-{decision_id}.json"'},
    )
