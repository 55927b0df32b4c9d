"""A dossier's official documents (tờ trình, danh sách, biên bản, quyết định, bằng khen) and the offices' templates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query, Response, status

from tdkt_awards.api.attachments import UPLOAD_BODY, download_headers
from tdkt_awards.api.deps import CatalogueDep, Filename, FilesDep, RepositoriesDep, UploadDep, signed_in_router
from tdkt_awards.api.nominations import Reader
from tdkt_awards.documents.office import Renderer, default_renderer
from tdkt_awards.domain.documents import DocumentKind, IssuedDocument, IssueDocument
from tdkt_awards.domain.files import DOCX
from tdkt_awards.domain.templates import OfficeTemplate
from tdkt_awards.handlers import documents
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import Principal, Role, require
from tdkt_shared.contract.text import Identifier, Whole
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.http import Context, versioned

router = signed_in_router(
    tag="documents",
    responses={
        **ERROR_RESPONSES,
        413: {"description": "The template is larger than the upload limit"},
        415: {"description": "The template is not a DOCX file (detected from the bytes)"},
        503: {"description": "Rendering is unavailable or busy; try again"},
    },
)
Issuer = Annotated[Principal, require(Role.UNIT_OFFICER, Role.TDKT_SPECIALIST, Role.COUNCIL_SECRETARY)]
TemplateKeeper = Annotated[Principal, require(Role.TDKT_SPECIALIST)]
DocumentId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{0,200}$")]


async def renderer() -> Renderer:
    return default_renderer()


RendererDep = Annotated[Renderer, Depends(renderer)]


class DocumentView(IssuedDocument):
    version: Whole


def _view(loaded: Loaded[IssuedDocument]) -> DocumentView:
    return DocumentView(**loaded.aggregate.model_dump(), version=loaded.version)


@router.post("/nominations/{nomination_id}/documents", response_model=DocumentView, status_code=201)
async def issue(
    nomination_id: str,
    command: IssueDocument,
    principal: Issuer,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    store: FilesDep,
    render: RendererDep,
    ctx: Context,
    response: Response,
) -> DocumentView:
    """Issue a document of the dossier as DOCX and PDF (rendered in the request, a bounded number at once): a
    tờ trình or list (the proposer's officers, TĐKT staff), the council minutes (TĐKT staff, the council's
    secretary) once the council voted, the decision with its annex or a certificate (TĐKT staff) once decided.
    Numbered from the issuer's register (a decision and its certificates carry the decision's number). Emits
    `document.issued`, with the PDF inline when small."""
    issued = await documents.issue(repositories, store, render, catalogue, nomination_id, command, ctx)
    response.headers["Location"] = f"/documents/{issued.id}"
    return _view(issued)


@router.get("/nominations/{nomination_id}/documents", response_model=list[IssuedDocument])
async def list_documents(nomination_id: str, principal: Reader, repositories: RepositoriesDep) -> list[IssuedDocument]:
    """The documents issued for a dossier, oldest first (for those who may read the dossier)."""
    return await documents.documents_of(repositories, nomination_id, principal)


@router.get("/documents/{document_id}", response_model=IssuedDocument)
async def get_document(document_id: DocumentId, principal: Reader, repositories: RepositoriesDep) -> IssuedDocument:
    return await documents.read_document(repositories, document_id, principal)


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}, DOCX: {}}}}


@router.get("/documents/{document_id}/pdf", response_class=Response, responses=FILE_RESPONSES)
async def get_pdf(
    document_id: DocumentId, principal: Reader, repositories: RepositoriesDep, store: FilesDep
) -> Response:
    document, data = await documents.file_of(repositories, store, document_id, principal, pdf=True)
    headers = {**download_headers(f"{document.filename}.pdf"), "X-Content-SHA256": document.pdf_sha256}
    return Response(content=data, media_type="application/pdf", headers=headers)


@router.get("/documents/{document_id}/docx", response_class=Response, responses=FILE_RESPONSES)
async def get_docx(
    document_id: DocumentId, principal: Reader, repositories: RepositoriesDep, store: FilesDep
) -> Response:
    document, data = await documents.file_of(repositories, store, document_id, principal, pdf=False)
    headers = download_headers(f"{document.filename}.docx")
    return Response(content=data, media_type=DOCX, headers=headers)


IssuerQuery = Annotated[
    Identifier | None, Query(description="the issuing body the template is for; the token's organisation if omitted")
]


class TemplateView(OfficeTemplate):
    version: Whole


@router.put(
    "/document-templates/{kind}",
    response_model=TemplateView,
    status_code=status.HTTP_200_OK,
    openapi_extra=UPLOAD_BODY,
)
async def upload_template(
    kind: DocumentKind,
    principal: TemplateKeeper,
    upload: UploadDep,
    repositories: RepositoriesDep,
    store: FilesDep,
    ctx: Context,
    issuer_id: IssuerQuery = None,
    filename: Filename = "mau.docx",
) -> TemplateView:
    """An office's own DOCX template for `kind` (docxtpl: `{{ number }}`, `{{ date_text }}`, `{%tr for n in
    nominees %}`...; `GET` the default one to start from). TĐKT staff (and admins) keep them."""
    issuer = issuer_id or principal.organization_id
    saved = await documents.upload_template(repositories, store, issuer, kind, filename, upload.data, upload.limit, ctx)
    return versioned(TemplateView, saved)


@router.get("/document-templates/{kind}", response_class=Response, responses={200: {"content": {DOCX: {}}}})
async def get_template(
    kind: DocumentKind, principal: Issuer, repositories: RepositoriesDep, store: FilesDep, issuer_id: IssuerQuery = None
) -> Response:
    """The template in force for `kind` and the issuing body: its own, or the default (header `X-Template`)."""
    data, which = await documents.template_file(repositories, store, issuer_id or principal.organization_id, kind)
    headers = {**download_headers(f"{kind.value.lower()}.docx"), "X-Template": which}
    return Response(content=data, media_type=DOCX, headers=headers)
