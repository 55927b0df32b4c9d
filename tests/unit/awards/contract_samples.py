"""Sample data of awards' dossier-file and document events, for the contract tests."""

from __future__ import annotations

SAMPLES: dict[str, dict[str, object]] = {
    "tdkt.awards.attachment.added.v1": {
        "nomination_id": "n-1",
        "item": "TO_TRINH",
        "file_id": "f-0123456789abcdef0123456789abcdef",
        "filename": "Tờ trình.pdf",
        "content_type": "application/pdf",
        "size": 48213,
        "sha256": "a" * 64,
        "actor": "van-thu-ha",
        "organization_id": "so-y-te-thai-nguyen",
        "at": "2026-12-05T08:00:00+07:00",
    },
    "tdkt.awards.attachment.removed.v1": {
        "nomination_id": "n-1",
        "item": "TO_TRINH",
        "file_id": "f-0123456789abcdef0123456789abcdef",
        "sha256": "a" * 64,
        "actor": "van-thu-ha",
        "organization_id": "so-y-te-thai-nguyen",
        "at": "2026-12-05T08:10:00+07:00",
    },
    "tdkt.awards.document.issued.v1": {
        "document_id": "hs-1.decision",
        "kind": "DECISION",
        "nomination_id": "hs-1",
        "award_code": "BANG_KHEN_TINH",
        "title": "Quyết định 01/QĐ-UBND — Bằng khen của Chủ tịch UBND tỉnh",
        "number": "01/QĐ-UBND",
        "issuer_id": "ubnd-tinh-thai-nguyen",
        "issued_on": "2026-12-05",
        "decision_id": "qd-1",
        "organization_ids": ["so-y-te-thai-nguyen"],
        "filename": "decision-hs-1-01-QĐ-UBND.pdf",
        "pdf_sha256": "b" * 64,
        "pdf_size": 30211,
        "pdf_url": "/documents/hs-1.decision/pdf",
        "pdf_base64": "JVBERi0xLjQK",
        "inline_limit": 524288,
    },
}
