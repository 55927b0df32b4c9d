"""Files a dossier holds: what is accepted, how its kind is known (from the bytes, never from the client), and the
record a nomination keeps of each.

Accepted: PDF, DOCX, XLSX, PNG and JPEG (scans). The kind is detected from the content by `filetype`, which tells a
DOCX from an XLSX from any other ZIP by the names in its first entries' headers; a DOCX or XLSX must also open as a
ZIP with the package's content types and its document part. The name and the declared type are not trusted.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import filetype
from pydantic import Field

from tdkt_shared.contract.text import Instant, Whole
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.models import Value

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
ACCEPTED = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", "image/png": "png", "image/jpeg": "jpg"}
"""Content type -> the extension a download is named with."""
PACKAGE_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
"""The part an Office Open XML package of each kind cannot be without."""


class UnsupportedFile(DomainError):
    status = 415
    code = "unsupported_file"


class FileTooLarge(DomainError):
    status = 413
    code = "file_too_large"


class UnknownFile(DomainError):
    status = 404
    code = "not_found"


class AttachedFile(Value):
    """One file of the dossier (hồ sơ), filed under a checklist item (tờ trình, báo cáo thành tích, biên bản...)."""

    file_id: str
    item: str
    filename: str
    content_type: str
    size: Whole = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    uploaded_at: Instant
    uploaded_by: str
    organization_id: str


class Inspected(Value):
    content_type: str
    size: int
    sha256: str


def inspect(data: bytes, max_bytes: int, *, accepted: dict[str, str] = ACCEPTED) -> Inspected:
    """The file's kind (from its bytes), size and SHA-256: 413 above `max_bytes`, 415 for a kind not accepted."""
    if not data:
        raise DomainError("the file is empty", field="body", code="empty_file")
    if len(data) > max_bytes:
        raise FileTooLarge(f"the file has {len(data)} bytes; at most {max_bytes} are accepted", field="body")
    kind = filetype.guess_mime(data)
    if kind not in accepted:
        found = kind or "not a known kind"
        raise UnsupportedFile(
            f"the file is {found}; accepted: PDF, DOCX, XLSX, PNG, JPEG (detected from the content)", field="body"
        )
    if kind in PACKAGE_PARTS and not _is_package(data, PACKAGE_PARTS[kind]):
        raise UnsupportedFile(f"the file starts as a {accepted[kind].upper()} but is not a whole one", field="body")
    return Inspected(content_type=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _is_package(data: bytes, main_part: str) -> bool:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return False
    return {"[Content_Types].xml", main_part} <= names


def safe_filename(name: str, content_type: str) -> str:
    """A download name: the client's name without any path or control characters, with the detected extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>:|?*').strip(" .") or "tep"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:120]}.{ACCEPTED.get(content_type, 'bin')}"
