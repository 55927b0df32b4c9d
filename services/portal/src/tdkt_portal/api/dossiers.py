"""A dossier as every staff screen shows it: the eligibility explanation rule by rule, its files per checklist item,
the documents issued for it and its audit; and the routes that serve it and its two downloads under a screen's own
prefix and role (`add_dossier_routes`). Awards decides what each user may read, with the user's own token."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from tdkt_portal.api.forms import ID_PATTERN
from tdkt_portal.api.refusals import reading
from tdkt_portal.api.web import BackendDep, User, for_roles, render
from tdkt_portal.backend import Backend, BackendError
from tdkt_portal.names import AwardChecklists
from tdkt_shared.auth import Role

ItemId = Annotated[str, Path(pattern=ID_PATTERN)]
FileId = Annotated[str, Path(pattern=r"^f-[0-9a-f]{32}$")]
DocumentId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{0,200}$")]
FILE_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/png",
    "image/jpeg",
)
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in FILE_TYPES}, "description": "The file, as awards holds it"}
}
"""A download route's answer: the file (the kinds awards accepts), or the message page on a refusal."""


def add_dossier_routes(router: APIRouter, screen: str, template: str, *roles: Role) -> None:
    """`GET /ho-so/{id}` (the dossier), `.../tep/{file}` and `.../van-ban/{document}` (its downloads) on `router`,
    for the users holding one of `roles`; the routes are named `<screen>_dossier[_file|_document]`."""
    reader = for_roles(*roles)

    @router.get("/ho-so/{nomination_id}", response_class=HTMLResponse, name=f"{screen}_dossier")
    async def dossier(nomination_id: ItemId, request: Request, backend: BackendDep, user: User = reader) -> Response:
        return await dossier_page(request, user, backend, nomination_id, template)

    @router.get("/ho-so/{nomination_id}/tep/{file_id}", responses=FILE_RESPONSES, name=f"{screen}_dossier_file")
    async def dossier_file(
        request: Request, nomination_id: ItemId, file_id: FileId, backend: BackendDep, user: User = reader
    ) -> Response:
        return await file_download(request, user, backend, f"/nominations/{nomination_id}/files/{file_id}")

    @router.get(
        "/ho-so/{nomination_id}/van-ban/{document_id}", responses=FILE_RESPONSES, name=f"{screen}_dossier_document"
    )
    async def dossier_document(
        request: Request, nomination_id: ItemId, document_id: DocumentId, backend: BackendDep, user: User = reader
    ) -> Response:
        return await document_download(request, user, backend, nomination_id, document_id)


async def checklist(
    request: Request, backend: Backend, user: User, dossier: dict[str, Any]
) -> list[tuple[str, list[Any]]]:
    """Each checklist item (Art. 84, as the rule set the dossier was drafted under lists it) with its files; items
    filed beyond the list follow. A simplified dossier's list is not published: its filed and missing items."""
    required: list[str] = list(dossier.get("missing_items") or [])
    if dossier.get("kind") != "SIMPLIFIED":
        checklists: AwardChecklists = request.app.state.checklists
        on, territory = f"{dossier['year']}-12-31", dossier.get("territory")
        with contextlib.suppress(BackendError):  # the files are still shown, under their items
            required = await checklists.get(backend, user.token, dossier["award_code"], on, territory)
    files = dossier.get("files") or []
    items = required + [f["item"] for f in files if f["item"] not in required]
    return [(item, [f for f in files if f["item"] == item]) for item in dict.fromkeys(items)]


async def document_download(
    request: Request, user: User, backend: Backend, nomination_id: str, document_id: str
) -> Response:
    """An issued document's PDF; the id names its dossier (`<dossier>.<kind>[.<recipient>]`), so another dossier's
    document is not found under this one."""
    if not document_id.startswith(f"{nomination_id}."):
        return render(request, "message.html", 404, title="Không tải được tệp", text="Hồ sơ không có văn bản này.")
    return await file_download(request, user, backend, f"/documents/{document_id}/pdf")


async def file_download(request: Request, user: User, backend: Backend, path: str) -> Response:
    """A dossier's file or issued document, streamed from awards with the user's own token (awards decides)."""
    with reading("Không tải được tệp"):
        answer = await backend.open_file("awards", path, user.token)
    kept = ("content-type", "content-disposition", "content-length", "x-content-sha256", "etag")
    headers = {k: v for k, v in answer.headers.items() if k.lower() in kept}
    headers["X-Content-Type-Options"] = "nosniff"
    return StreamingResponse(answer.aiter_raw(), headers=headers, background=BackgroundTask(answer.aclose))


async def dossier_page(request: Request, user: User, backend: Any, nomination_id: str, template: str) -> Response:
    """A dossier with its eligibility explanation rule by rule, its files per checklist item, the documents issued
    for it and its audit (shared by staff screens); the links go through this screen's own download routes."""
    with reading("Không mở được hồ sơ"):
        found, documents = await asyncio.gather(
            backend.get("awards", f"/nominations/{nomination_id}", user.token),
            backend.get("awards", f"/nominations/{nomination_id}/documents", user.token),
        )
    names = {n["nominee_id"]: n["name"] for n in found["nominees"]}
    items = await checklist(request, backend, user, found)
    return render(
        request,
        template,
        title=f"Hồ sơ {found['id']}",
        dossier=found,
        nominee_names=names,
        items=items,
        missing=[item for item, filed in items if not filed],
        documents=documents,
        here=request.url.path,
    )
