"""A dossier's files: add one to a checklist item (the raw bytes as the body), download, remove."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Path, Query, Response, status

from tdkt_awards.api.deps import CatalogueDep, Filename, FilesDep, RepositoriesDep, UploadDep, signed_in_router
from tdkt_awards.api.nominations import Editor, NominationView, Reader, _view
from tdkt_awards.domain.files import ACCEPTED
from tdkt_awards.handlers import attachments
from tdkt_awards.policy import recorded_actor
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.kit.http import Context

router = signed_in_router(
    "/nominations",
    tag="attachments",
    responses={
        **ERROR_RESPONSES,
        413: {"description": "The file is larger than the upload limit"},
        415: {"description": "Not a PDF, DOCX, XLSX, PNG or JPEG (detected from the bytes)"},
    },
)

Item = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9_]{0,59}$", examples=["TO_TRINH"])]
FileId = Annotated[str, Path(pattern=r"^f-[0-9a-f]{32}$")]
Version = Annotated[int, Query(ge=1, le=2**31 - 1, description="the nomination's version, as read")]
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in ["application/octet-stream", *ACCEPTED]
        },
    }
}


def download_headers(filename: str) -> dict[str, str]:
    """A file to save, never to render: `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 5987:
    Vietnamese names survive), and no type sniffing."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return {
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
    }


@router.post(
    "/{nomination_id}/files/{item}",
    response_model=NominationView,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
)
async def add_file(
    nomination_id: str,
    item: Item,
    version: Version,
    principal: Editor,
    upload: UploadDep,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    store: FilesDep,
    ctx: Context,
    response: Response,
    filename: Filename = "tep",
) -> NominationView:
    """Add a file to a checklist item of a DRAFT or RETURNED dossier (the proposer's officers, or TĐKT staff).

    The body is the file itself; its kind is detected from the bytes (PDF, DOCX, XLSX, PNG, JPEG), its SHA-256
    recorded. Emits `attachment.added`."""
    who = recorded_actor(principal)
    added = await attachments.add_file(
        repositories, store, catalogue, nomination_id, version, item, filename, upload.data, upload.limit, who, ctx
    )
    response.headers["Location"] = f"{router.prefix}/{nomination_id}/files/{added.aggregate.files[-1].file_id}"
    return _view(added, response)


@router.get(
    "/{nomination_id}/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in ACCEPTED}, "description": "The file"}},
)
async def download(
    nomination_id: str, file_id: FileId, principal: Reader, repositories: RepositoriesDep, store: FilesDep
) -> Response:
    """The file, for those who may read the dossier; `Digest`-style header `X-Content-SHA256` carries its hash."""
    record, data = await attachments.download(repositories, store, nomination_id, file_id, principal)
    headers = {**download_headers(record.filename), "X-Content-SHA256": record.sha256, "ETag": f'"{record.sha256}"'}
    return Response(content=data, media_type=record.content_type, headers=headers)


@router.delete("/{nomination_id}/files/{file_id}", response_model=NominationView)
async def remove_file(
    nomination_id: str,
    file_id: FileId,
    version: Version,
    principal: Editor,
    repositories: RepositoriesDep,
    store: FilesDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    """Remove a file from a DRAFT or RETURNED dossier; emits `attachment.removed`."""
    removed = await attachments.remove_file(
        repositories, store, nomination_id, version, file_id, recorded_actor(principal), ctx
    )
    return _view(removed, response)
