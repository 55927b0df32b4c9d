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
}
