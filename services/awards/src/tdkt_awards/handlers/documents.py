"""The document aggregate: issuing a dossier's official documents, and the offices' own templates.

Issuing is: the policy and the state on the nomination as loaded; the number from the issuer's register (bound to
the document's id, so a retry keeps it); the template (the office's own, else the default) filled and converted to
PDF; both files stored; then the document created with its `document.issued` event in one write. If that write is
refused (issued meanwhile), the files stored for it are deleted again.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import date

from tdkt_awards import policy
from tdkt_awards.documents.office import Renderer, fill
from tdkt_awards.documents.templates import default_template
from tdkt_awards.domain import documents, numbering
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.domain.documents import DocumentKind, IssuedDocument, IssueDocument
from tdkt_awards.domain.files import DOCX, UnsupportedFile, inspect
from tdkt_awards.domain.grants import Decision
from tdkt_awards.domain.nominations import Nomination
from tdkt_awards.domain.templates import OfficeTemplate, template_id
from tdkt_awards.handlers.nominations import read, rules_of
from tdkt_awards.handlers.numbering import take_number
from tdkt_awards.store import Repositories
from tdkt_shared.auth import Principal
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.store import AlreadyExists, NotFound
from tdkt_shared.store.files import FileStore

PDF = "application/pdf"


async def _names(repositories: Repositories, ids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for organization_id in dict.fromkeys(i for i in ids if i):
        known = await repositories.directory.get(organization_id)
        names[organization_id] = known.name if known is not None and known.name else organization_id
    return names


async def _template(
    repositories: Repositories, store: FileStore, issuer_id: str, kind: DocumentKind
) -> tuple[bytes, str]:
    """The office's own template for `kind` when it has one, else the default; and which one it is."""
    own = await repositories.templates.get(template_id(issuer_id, kind))
    if own is None:
        return default_template(kind), "default"
    _, data = await store.get(own.aggregate.file_id)
    return data, f"{own.id}@{own.aggregate.revision}"


async def _number(
    repositories: Repositories,
    kind: DocumentKind,
    command: IssueDocument,
    decision: Decision | None,
    doc_id: str,
    ctx: CommandContext,
) -> str | None:
    if kind in (DocumentKind.DECISION, DocumentKind.CERTIFICATE):
        return decision.number if decision else None
    abbreviation = documents.ABBREVIATIONS.get(kind)
    if abbreviation is None:
        return None
    number = await take_number(repositories.registers, command.issuer.id, command.date.year, doc_id, ctx)
    return numbering.symbol(number, abbreviation, command.issuer.symbol)


async def _attached_to(repositories: Repositories, n: Nomination) -> str | None:
    """A list goes with the dossier's tờ trình when one was issued."""
    proposal = await repositories.documents.get(documents.document_id(n.id, DocumentKind.PROPOSAL))
    if proposal is None:
        return None
    p = proposal.aggregate
    return f"Kèm theo Tờ trình số {p.number} {documents.vietnamese_date(p.issued_on)}"


async def issue(
    repositories: Repositories,
    store: FileStore,
    renderer: Renderer,
    catalogue: Catalogue,
    nomination_id: str,
    command: IssueDocument,
    ctx: CommandContext,
) -> Loaded[IssuedDocument]:
    """Issue one document of the dossier: 403 for a role that does not issue it, 409 before the step it records or
    when it was issued already, 503 when rendering is unavailable."""
    n = (await repositories.nominations.load(nomination_id)).aggregate
    kind = command.kind
    proposer = n.submitting_organization_id
    await policy.ensure_may_issue(ctx.principal, repositories.directory, kind.value, proposer, command.issuer.id)
    decision = (await repositories.decisions.load(n.decision_id)).aggregate if n.decision_id else None
    documents.check_issuable(kind, n, decision, command.recipient_id)
    doc_id = documents.document_id(n.id, kind, command.recipient_id)
    if await repositories.documents.exists(doc_id):
        raise AlreadyExists(doc_id)
    number = await _number(repositories, kind, command, decision, doc_id, ctx)
    rules = rules_of(n, catalogue)
    award = rules.award(n.award_code)
    nominee_units = [x.organization_id for x in n.nominees if x.organization_id]
    names = await _names(repositories, [n.submitting_organization_id, *nominee_units])
    attached_to = await _attached_to(repositories, n) if kind is DocumentKind.NOMINEE_LIST else None
    values = documents.context(
        kind,
        n,
        command,
        award,
        rules,
        number=number,
        decision=decision,
        proposer_name=names[n.submitting_organization_id],
        units=names,
        attached_to=attached_to,
    )
    template, template_ref = await _template(repositories, store, command.issuer.id, kind)
    docx = await renderer.docx(template, values)
    pdf = await renderer.pdf(docx)
    filename = documents.filename_of(kind, n, number, command.recipient_id)
    docx_id, pdf_id = f"d-{uuid.uuid4().hex}", f"d-{uuid.uuid4().hex}"
    meta = {"document_id": doc_id, "nomination_id": n.id, "kind": kind.value}
    record = IssuedDocument(
        id=doc_id,
        kind=kind,
        nomination_id=n.id,
        award_code=n.award_code,
        title=documents.title_of(kind, award, number),
        number=number,
        issuer_id=command.issuer.id,
        issued_on=command.date,
        issued_at=ctx.now,
        issued_by=ctx.principal.subject if ctx.principal else "system",
        decision_id=decision.id if decision else None,
        recipient_id=command.recipient_id,
        template=template_ref,
        docx_file_id=docx_id,
        pdf_file_id=pdf_id,
        filename=filename,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_size=len(pdf),
        docx_sha256=hashlib.sha256(docx).hexdigest(),
    )
    event = documents.issued_event(record, n, pdf, units_of=[n.submitting_organization_id, *nominee_units])
    try:  # a file stored for a document that is not recorded is deleted again, whichever step failed
        await store.put(docx_id, f"{filename}.docx", docx, {**meta, "content_type": DOCX})
        await store.put(pdf_id, f"{filename}.pdf", pdf, {**meta, "content_type": PDF})
        return await repositories.documents.add(record, event, ctx)
    except BaseException:
        await store.delete(docx_id)
        await store.delete(pdf_id)
        raise


async def read_document(repositories: Repositories, document_id: str, principal: Principal) -> IssuedDocument:
    """The document, for whoever may read its dossier."""
    loaded = await repositories.documents.load(document_id)
    await read(repositories, loaded.aggregate.nomination_id, principal)
    return loaded.aggregate


async def documents_of(repositories: Repositories, nomination_id: str, principal: Principal) -> list[IssuedDocument]:
    await read(repositories, nomination_id, principal)
    found = await repositories.documents.find_all({"nomination_id": nomination_id})
    return sorted((d.aggregate for d in found), key=lambda d: (d.issued_at, d.id))


async def file_of(
    repositories: Repositories, store: FileStore, document_id: str, principal: Principal, *, pdf: bool
) -> tuple[IssuedDocument, bytes]:
    document = await read_document(repositories, document_id, principal)
    _, data = await store.get(document.pdf_file_id if pdf else document.docx_file_id)
    if pdf and hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        raise NotFound(document_id)
    return document, data


# an office's own templates


SAMPLE_DAY = date(2026, 12, 5)


async def upload_template(
    repositories: Repositories,
    store: FileStore,
    issuer_id: str,
    kind: DocumentKind,
    filename: str,
    data: bytes,
    max_bytes: int,
    ctx: CommandContext,
) -> Loaded[OfficeTemplate]:
    """Replace the default template of `kind` for `issuer_id`: a DOCX (415 otherwise) that docxtpl can fill with the
    values of this kind (422 naming the error otherwise). The previous file is deleted once the new one is in."""
    found = inspect(data, max_bytes, accepted={DOCX: "docx"})
    if found.content_type != DOCX:
        raise UnsupportedFile("a template is a DOCX file", field="body")
    await asyncio.to_thread(fill, data, sample_values(kind))  # off the event loop: a template is the office's work
    file_id = f"t-{uuid.uuid4().hex}"
    await store.put(file_id, filename, data, {"issuer_id": issuer_id, "kind": kind.value, "sha256": found.sha256})
    key = template_id(issuer_id, kind)
    who = ctx.principal.subject if ctx.principal else "system"
    try:
        existing = await repositories.templates.get(key)
        template = OfficeTemplate(
            id=key,
            issuer_id=issuer_id,
            kind=kind,
            file_id=file_id,
            sha256=found.sha256,
            size=found.size,
            filename=filename,
            revision=existing.aggregate.revision + 1 if existing else 1,
            uploaded_by=who,
            uploaded_at=ctx.now,
        )
        if existing is None:
            saved = await repositories.templates.add(template, (), ctx)
        else:
            saved = await repositories.templates.save(existing, template, (), ctx)
    except BaseException:
        await store.delete(file_id)
        raise
    if existing is not None:
        await store.delete(existing.aggregate.file_id)
    return saved


async def template_file(
    repositories: Repositories, store: FileStore, issuer_id: str, kind: DocumentKind
) -> tuple[bytes, str]:
    return await _template(repositories, store, issuer_id, kind)


def sample_values(kind: DocumentKind) -> dict[str, object]:
    """Values of every placeholder the default templates use, to check that an office's template fills."""
    nominee = {"index": "01", "name": "Nguyễn Thị Hà", "unit": "Sở Y tế", "votes": "9/9", "percent": "100,0"}
    return {
        "issuer_name": "SỞ Y TẾ",
        "issuer_parent": "UBND TỈNH THÁI NGUYÊN",
        "issuer_name_sentence": "Sở Y tế",
        "number": "01/TTr-SYT",
        "place": "Thái Nguyên",
        "date_text": documents.vietnamese_date(SAMPLE_DAY),
        "date_short": documents.short_date(SAMPLE_DAY),
        "award_name": "Bằng khen của Chủ tịch UBND tỉnh",
        "year": 2026,
        "nomination_id": "hs-1",
        "addressee": "Ủy ban nhân dân tỉnh Thái Nguyên",
        "authority_title": "Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên",
        "authority_upper": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN",
        "summary": "",
        "copies_to": ["Như trên"],
        "legal_bases": ["Luật Thi đua, khen thưởng số 06/2022/QH15"],
        "legal_basis_text": "Luật Thi đua, khen thưởng số 06/2022/QH15",
        "signer_name": "Nguyễn Văn An",
        "signer_title": "GIÁM ĐỐC",
        "signer_on_behalf": "",
        "proposer_name": "Sở Y tế",
        "nominee_count_text": "01 cá nhân",
        "subject_word": "cá nhân",
        "attached_to": "Kèm theo Tờ trình số 01/TTr-SYT",
        "nominees": [{**nominee, "result": "Đạt"}],
        "held_on_text": documents.vietnamese_date(SAMPLE_DAY),
        "attendees": 9,
        "members_total": 9,
        "threshold": "50",
        "base_text": "tổng số thành viên Hội đồng",
        "bonus_text": "2.340.000",
        "bonus_multiple": "1",
        "certificate_title": "BẰNG KHEN",
        "recipient_name": "Ông/Bà Nguyễn Thị Hà",
        "recipient_unit": "Sở Y tế",
        "achievement": "Đã có thành tích xuất sắc",
        "serial": "01/QĐ-UBND.01",
        "kind": kind.value,
    }
