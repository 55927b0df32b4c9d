"""An office's own DOCX template for a kind of document (mẫu văn bản), replacing the default for its documents."""

from __future__ import annotations

from tdkt_awards.domain.documents import DocumentKind
from tdkt_shared.contract.text import Instant, Whole
from tdkt_shared.kit.models import Value


class OfficeTemplate(Value):
    id: str
    issuer_id: str
    kind: DocumentKind
    file_id: str
    sha256: str
    size: Whole
    filename: str
    revision: Whole
    uploaded_by: str
    uploaded_at: Instant


def template_id(issuer_id: str, kind: DocumentKind) -> str:
    return f"{issuer_id}.{kind.value.lower()}"
