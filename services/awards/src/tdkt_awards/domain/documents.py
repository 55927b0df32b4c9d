"""Official documents of a dossier (văn bản): what each kind says, when it can be issued, and the record kept of it.

Kinds, in the order a dossier needs them: the proposal letter (tờ trình) and the list of nominees (danh sách) from
the proposer, the council minutes (biên bản) after the vote, the decision (quyết định, with its annex) and the
certificates (bằng khen, giấy khen) after the decision. The layout is the template's (`documents.templates`); this
module gives the values, written the way Decree 30/2020/NĐ-CP (Appendix I) writes them: `ngày 05 tháng 02 năm 2026`,
numbers below 10 with a leading 0, money with dots between thousands.
"""

from __future__ import annotations

import base64
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from tdkt_awards.domain.catalogue import AwardType, EffectiveRules, VoteBase
from tdkt_awards.domain.grants import Decision
from tdkt_awards.domain.nominations import Nomination, Nominee
from tdkt_awards.domain.numbering import SYMBOL_PATTERN
from tdkt_shared.contract.awards import DocumentIssued, NomineeKind
from tdkt_shared.contract.text import Day, Identifier, Instant, Text, Whole
from tdkt_shared.errors import DomainError, InvalidTransition
from tdkt_shared.kit.carry import carried
from tdkt_shared.kit.models import Command, Value

INLINE_PDF_MAX_BYTES = 512 * 1024
"""A PDF up to this size travels in its `document.issued` event (base64: about 683 KiB), under Kafka's default 1 MiB
record limit with room for the envelope; a larger one is linked."""


class DocumentKind(StrEnum):
    PROPOSAL = "PROPOSAL"
    """Tờ trình đề nghị khen thưởng."""
    NOMINEE_LIST = "NOMINEE_LIST"
    """Danh sách đề nghị khen thưởng."""
    COUNCIL_MINUTES = "COUNCIL_MINUTES"
    """Biên bản họp Hội đồng Thi đua - Khen thưởng."""
    DECISION = "DECISION"
    """Quyết định khen thưởng, with its annex (the recipients)."""
    CERTIFICATE = "CERTIFICATE"
    """Bằng khen, giấy khen, or a title's certificate: one per recipient."""


ABBREVIATIONS = {DocumentKind.PROPOSAL: "TTr", DocumentKind.COUNCIL_MINUTES: "BB", DocumentKind.DECISION: "QĐ"}
"""Decree 30/2020, Appendix III: the kinds a register numbers, and their abbreviation in the symbol."""

TITLES = {
    DocumentKind.PROPOSAL: "Tờ trình",
    DocumentKind.NOMINEE_LIST: "Danh sách",
    DocumentKind.COUNCIL_MINUTES: "Biên bản",
    DocumentKind.DECISION: "Quyết định",
    DocumentKind.CERTIFICATE: "Bằng khen",
}

Symbol = Annotated[str, Field(pattern=SYMBOL_PATTERN, examples=["UBND"])]


class Issuer(Command):
    """The issuing body as the title block names it."""

    id: Identifier
    name: Text = Field(examples=["Sở Y tế"])
    """As written in a sentence; the title block writes it in capitals."""
    parent_name: Text | None = Field(default=None, examples=["UBND tỉnh Thái Nguyên"])
    """The superior body, written above it (cơ quan chủ quản), if any."""
    symbol: Symbol
    """The body's abbreviation in the symbol: `05/TTr-SYT`."""


class Signer(Command):
    name: Text
    title: Text = Field(examples=["CHỦ TỊCH"])
    on_behalf: Text | None = Field(default=None, examples=["TM. ỦY BAN NHÂN DÂN"])
    """TM. (on behalf of a collective body) or KT. (signing for the head), if any."""


class IssueDocument(Command):
    kind: DocumentKind
    issuer: Issuer
    signer: Signer
    place: Text = Field(examples=["Thái Nguyên"])
    date: Day
    addressee: Text | None = Field(default=None, examples=["Ủy ban nhân dân tỉnh Thái Nguyên"])
    """Kính gửi (a tờ trình's addressee)."""
    authority: Text | None = Field(default=None, examples=["Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên"])
    """Who decides or awards, as the decision and the certificate name them (the signer's title otherwise)."""
    recipient_id: Identifier | None = None
    """The certificate's recipient (one of the decision's)."""
    summary: Text | None = None
    """A paragraph of the proposer's own (a tờ trình's content)."""
    copies_to: list[Text] = Field(default_factory=list, max_length=10)
    """Nơi nhận, besides the archive (Lưu: VT)."""
    legal_bases: list[Text] = Field(default_factory=list, max_length=8)
    """Căn cứ: the instruments the document rests on (the rule set's latest when empty)."""


class IssuedDocument(Value):
    id: str
    kind: DocumentKind
    nomination_id: str
    award_code: str
    title: str
    number: str | None = None
    """Số và ký hiệu, e.g. `05/QĐ-UBND` (a list has none of its own)."""
    issuer_id: str
    issued_on: Day
    """Ngày ban hành: the date the document bears."""
    issued_at: Instant
    """When the platform generated it."""
    issued_by: str
    """Who issued it (the token's `sub`), or `system`."""
    decision_id: str | None = None
    recipient_id: str | None = None
    """The certificate's recipient."""
    template: str
    """`default`, or the id of the office's own template and its version."""
    docx_file_id: str
    pdf_file_id: str
    filename: str
    pdf_sha256: str
    pdf_size: Whole
    docx_sha256: str


def document_id(nomination_id: str, kind: DocumentKind, recipient_id: str | None = None) -> str:
    """One document of each kind per dossier (one certificate per recipient): issuing it again is a conflict, and a
    retried issue finds the number the register bound to this id."""
    base = f"{nomination_id}.{kind.value.lower()}"
    return f"{base}.{recipient_id}" if kind is DocumentKind.CERTIFICATE else base


def vietnamese_date(day: date) -> str:
    """`ngày 05 tháng 02 năm 2026`: days below 10 and the months January and February take a leading 0."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def money(amount: int) -> str:
    """7020000 -> `7.020.000`."""
    return f"{amount:,}".replace(",", ".")


def check_issuable(kind: DocumentKind, n: Nomination, decision: Decision | None, recipient_id: str | None) -> None:
    """409 when the dossier has not reached the step the document records; 422 for a certificate's recipient."""
    if kind is DocumentKind.COUNCIL_MINUTES and n.council is None:
        raise InvalidTransition("the council has not voted on this dossier yet", field="kind")
    if kind in (DocumentKind.DECISION, DocumentKind.CERTIFICATE) and decision is None:
        raise InvalidTransition("no decision has been recorded for this dossier yet", field="kind")
    if kind is DocumentKind.CERTIFICATE:
        recipients = [g.recipient_id for g in decision.grants] if decision else []
        if recipient_id not in recipients:
            raise DomainError(
                f"a certificate goes to one of the decision's recipients: {', '.join(recipients)}", field="recipient_id"
            )
    elif recipient_id is not None:
        raise DomainError("only a certificate names a recipient", field="recipient_id")


def _count_text(nominees: list[Nominee]) -> str:
    """`03 cá nhân`, `01 tập thể`."""
    words = {NomineeKind.INDIVIDUAL: "cá nhân", NomineeKind.COLLECTIVE: "tập thể", NomineeKind.HOUSEHOLD: "hộ gia đình"}
    kinds = sorted({x.kind for x in nominees})
    return f"{len(nominees):02d} " + ", ".join(words[k] for k in kinds)


def context(
    kind: DocumentKind,
    n: Nomination,
    command: IssueDocument,
    award: AwardType,
    rules: EffectiveRules,
    *,
    number: str | None,
    decision: Decision | None,
    proposer_name: str,
    units: dict[str, str],
    attached_to: str | None = None,
) -> dict[str, Any]:
    """What the template of `kind` is filled with."""
    nominees = n.nominees
    if decision is not None:
        chosen = {g.recipient_id for g in decision.grants}
        nominees = [x for x in n.nominees if x.nominee_id in chosen]
    authority = command.authority or command.signer.title
    values: dict[str, Any] = {
        "issuer_name": command.issuer.name.upper(),
        "issuer_parent": (command.issuer.parent_name or "").upper(),
        "issuer_name_sentence": command.issuer.name,
        "number": number or "",
        "place": command.place,
        "date_text": vietnamese_date(command.date),
        "date_short": short_date(command.date),
        "award_name": award.name,
        "year": n.year,
        "nomination_id": n.id,
        "addressee": command.addressee or authority,
        "authority_title": authority,
        "authority_upper": authority.upper(),
        "summary": command.summary or "",
        "copies_to": command.copies_to or [command.addressee or authority],
        "legal_bases": command.legal_bases or latest_instruments(rules),
        "legal_basis_text": "; ".join(command.legal_bases or latest_instruments(rules)),
        "signer_name": command.signer.name,
        "signer_title": command.signer.title.upper(),
        "signer_on_behalf": (command.signer.on_behalf or "").upper(),
        "proposer_name": proposer_name,
        "nominee_count_text": _count_text(nominees),
        "subject_word": "tập thể" if award.subject is NomineeKind.COLLECTIVE else "cá nhân",
        "attached_to": attached_to or f"Hồ sơ đề nghị số {n.id}",
        "nominees": [
            {
                "index": f"{i:02d}",
                "name": x.name,
                "unit": units.get(x.organization_id or "", x.organization_id or ""),
            }
            for i, x in enumerate(nominees, start=1)
        ],
    }
    if kind is DocumentKind.COUNCIL_MINUTES and n.council is not None:
        session = n.council
        names = {x.nominee_id: x.name for x in n.nominees}
        values |= {
            "held_on_text": vietnamese_date(session.held_on),
            "attendees": session.attendees,
            "members_total": session.members_total,
            "threshold": f"{award.vote_rule.threshold.percent:.4g}",
            "base_text": "tổng số thành viên Hội đồng"
            if award.vote_rule.base is VoteBase.ALL_MEMBERS
            else "số thành viên biểu quyết",
            "nominees": [
                {
                    "index": f"{i:02d}",
                    "name": names.get(r.nominee_id, r.nominee_id),
                    "votes": f"{r.votes_yes}/{r.votes_cast}",
                    "percent": f"{(100 * r.votes_yes / r.members_total if r.members_total else 0):.1f}".replace(
                        ".", ","
                    ),
                    "result": "Đạt" if r.passed else "Không đạt",
                }
                for i, r in enumerate(session.results, start=1)
            ],
        }
    if decision is not None:
        grant = decision.grants[0]
        values |= {
            "bonus_text": money(grant.bonus_amount),
            "bonus_multiple": f"{award.bonus_multiple:g}".replace(".", ","),
        }
    if kind is DocumentKind.CERTIFICATE and decision is not None:
        grant = next(g for g in decision.grants if g.recipient_id == command.recipient_id)
        index = [g.recipient_id for g in decision.grants].index(grant.recipient_id) + 1
        nominee = next(x for x in n.nominees if x.nominee_id == grant.recipient_id)
        values |= {
            "certificate_title": certificate_title(award),
            "recipient_name": ("Ông/Bà " if nominee.kind is NomineeKind.INDIVIDUAL else "") + nominee.name,
            "recipient_unit": units.get(nominee.organization_id or "", ""),
            "achievement": achievement(award, n.year),
            "serial": f"{number}.{index:02d}",
        }
    return values


def latest_instruments(rules: EffectiveRules) -> list[str]:
    """Căn cứ by default: the latest law, decree and circular of the rule set (listed oldest first)."""
    latest: dict[str, str] = {}
    for instrument in rules.instruments:
        for kind in ("Luật", "Nghị định", "Thông tư"):
            if instrument.startswith(kind):
                latest[kind] = instrument
    return [latest[k] for k in ("Luật", "Nghị định", "Thông tư") if k in latest]


def certificate_title(award: AwardType) -> str:
    name = award.name.lower()
    if name.startswith("giấy khen"):
        return "GIẤY KHEN"
    if name.startswith("bằng khen"):
        return "BẰNG KHEN"
    return "GIẤY CHỨNG NHẬN"


def achievement(award: AwardType, year: int) -> str:
    if certificate_title(award) == "GIẤY CHỨNG NHẬN":
        return f"Đạt danh hiệu {award.name} năm {year}"
    return f"Đã có thành tích xuất sắc trong phong trào thi đua năm {year}"


def title_of(kind: DocumentKind, award: AwardType, number: str | None) -> str:
    head = certificate_title(award).capitalize() if kind is DocumentKind.CERTIFICATE else TITLES[kind]
    return f"{head} {number} — {award.name}" if number else f"{head} — {award.name}"


def filename_of(kind: DocumentKind, n: Nomination, number: str | None, recipient_id: str | None) -> str:
    stem = f"{kind.value.lower()}-{n.id}"
    if number:
        stem += "-" + number.replace("/", "-")
    if recipient_id:
        stem += f"-{recipient_id}"
    return stem


def issued_event(
    document: IssuedDocument,
    n: Nomination,
    pdf: bytes,
    *,
    units_of: list[str],
    inline_limit: int = INLINE_PDF_MAX_BYTES,
) -> DocumentIssued:
    """The event that announces the document, with its PDF inline when small enough."""
    inline = len(pdf) <= inline_limit
    # the record's title, number, issuer, day, decision, recipient and PDF digest and size
    record = carried(document, DocumentIssued, "kind", "nomination_id", "award_code", "filename")
    return DocumentIssued(
        document_id=document.id,
        kind=document.kind.value,
        nomination_id=n.id,
        award_code=n.award_code,
        **record,
        organization_ids=sorted(set(units_of)),
        filename=f"{document.filename}.pdf",
        pdf_url=f"/documents/{document.id}/pdf",
        pdf_base64=base64.b64encode(pdf).decode() if inline else None,
        inline_limit=inline_limit,
    )
