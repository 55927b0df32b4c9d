"""A dossier's files over the API (in-memory stores): kinds from the bytes, limits, downloads by role, events, and
nothing half written."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import docx
import httpx
import pytest

from tdkt_awards.domain import files
from tdkt_awards.service import DEFINITION
from tdkt_awards.store import FILES, NOMINATIONS
from tdkt_shared.auth import Role
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.awards import AttachmentAdded, AttachmentRemoved
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers
from tests.helpers import PDF_BYTES, serve

ORG = "so-y-te-thai-nguyen"
OFFICER = headers(Role.UNIT_OFFICER, ORG, subject="van-thu-ha")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Báo cáo thành tích")
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


@pytest.fixture
def runtime() -> InMemoryRuntime:
    return InMemoryRuntime(DEFINITION)


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client


async def draft(client: httpx.AsyncClient, nid: str = "n-1") -> dict[str, Any]:
    body = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "BANG_KHEN_TINH",
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": ORG,
        "nominees": [{"nominee_id": "p-ha", "kind": "INDIVIDUAL", "name": "Nguyễn Thị Hà", "organization_id": ORG}],
    }
    r = await client.post("/nominations", json=body, headers=OFFICER)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def upload(
    client: httpx.AsyncClient,
    item: str,
    data: bytes,
    version: int,
    *,
    sent: dict[str, str] = OFFICER,
    filename: str = "Tờ trình số 12.pdf",
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    return await client.post(
        f"/nominations/n-1/files/{item}",
        params={"version": version, "filename": filename},
        content=data,
        headers={**sent, "content-type": content_type},
    )


@pytest.mark.parametrize(
    ("data", "kind", "extension"),
    [
        (PDF_BYTES, "application/pdf", "pdf"),
        (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        (xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        (PNG, "image/png", "png"),
        (JPEG, "image/jpeg", "jpg"),
    ],
)
async def test_each_accepted_kind_is_detected_from_the_bytes_and_downloads_intact(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, data: bytes, kind: str, extension: str
) -> None:
    drafted = await draft(client)
    r = await upload(client, "TO_TRINH", data, drafted["version"], filename="../../Tờ trình.exe")
    assert r.status_code == 201, r.text
    [record] = r.json()["files"]
    assert (record["item"], record["content_type"], record["size"]) == ("TO_TRINH", kind, len(data))
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["filename"] == f"Tờ trình.{extension}"  # no path, the detected extension
    assert (r.json()["attachments"], r.json()["version"]) == (["TO_TRINH"], drafted["version"] + 1)
    assert r.headers["Location"] == f"/nominations/n-1/files/{record['file_id']}"

    got = await client.get(f"/nominations/n-1/files/{record['file_id']}", headers=OFFICER)
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, data, kind)
    assert got.headers["X-Content-SHA256"] == record["sha256"]
    assert "filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh." in got.headers["content-disposition"]

    [event] = [e for e in runtime.store(NOMINATIONS).events if e.type == AttachmentAdded.event_type]
    added = parse_data(event)
    assert isinstance(added, AttachmentAdded)
    assert (added.nomination_id, added.item, added.sha256, added.actor) == (
        "n-1",
        "TO_TRINH",
        record["sha256"],
        "van-thu-ha",
    )
    assert event.partitionkey == "n-1"


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, 415, "unsupported_file"),  # a Windows executable named .pdf
        (b"hello, plain text", 415, "unsupported_file"),
        (b"PK\x03\x04" + zipfile.ZipFile.__name__.encode(), 415, "unsupported_file"),  # a ZIP that is no office file
        (b"PK\x03\x04" + bytes(26) + b"word/document.xml" + bytes(40), 415, "unsupported_file"),  # a DOCX's first bytes
        (b"PK\x03\x04" + bytes(26) + b"xl/workbook.xml" + bytes(40), 415, "unsupported_file"),  # an XLSX's
        (b"", 422, "empty_file"),
    ],
    ids=["executable", "text", "zip", "docx-header-only", "xlsx-header-only", "empty"],
)
async def test_a_file_of_another_kind_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, data: bytes, status: int, error: str
) -> None:
    drafted = await draft(client)
    before = len(runtime.store(NOMINATIONS).events)
    r = await upload(client, "TO_TRINH", data, drafted["version"], content_type="application/pdf")
    assert (r.status_code, r.json()["error"]) == (status, error), r.text
    assert len(runtime.store(NOMINATIONS).events) == before
    assert runtime.files(FILES).files == {}
    assert (await client.get("/nominations/n-1")).json()["version"] == drafted["version"]


async def test_a_file_above_the_limit_is_refused_with_413(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    drafted = await draft(client)
    r = await upload(client, "TO_TRINH", PDF_BYTES + b"\x00" * (10 << 20), drafted["version"])
    assert r.status_code == 413, r.text
    assert runtime.files(FILES).files == {}


def test_the_size_limit_is_checked_before_anything_else() -> None:
    with pytest.raises(files.FileTooLarge) as refused:
        files.inspect(PDF_BYTES, len(PDF_BYTES) - 1)
    assert (refused.value.status, refused.value.field) == (413, "body")
    assert files.inspect(PDF_BYTES, len(PDF_BYTES)).content_type == "application/pdf"


async def test_a_stale_version_deletes_the_stored_file_again(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    drafted = await draft(client)
    assert (await upload(client, "TO_TRINH", PDF_BYTES, drafted["version"])).status_code == 201
    r = await upload(client, "BAO_CAO_THANH_TICH", PDF_BYTES, drafted["version"])  # read before the first upload
    assert (r.status_code, r.json()["error"]) == (409, "version_conflict")
    assert len(runtime.files(FILES).files) == 1  # only the first file: the second was removed again


async def test_submission_needs_a_file_for_each_item_then_files_are_fixed(client: httpx.AsyncClient) -> None:
    drafted = await draft(client)
    r = await client.post("/nominations/n-1/submit", json={"version": drafted["version"]}, headers=OFFICER)
    assert (r.status_code, r.json()["field"]) == (422, "files.TO_TRINH")
    version = drafted["version"]
    for item in ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_XET_KHEN_THUONG"):
        r = await upload(client, item, PDF_BYTES, version)
        version = r.json()["version"]
    submitted = await client.post("/nominations/n-1/submit", json={"version": version}, headers=OFFICER)
    assert submitted.json()["status"] == "SUBMITTED"
    r = await upload(client, "KHAC", PNG, submitted.json()["version"])
    assert (r.status_code, r.json()["error"]) == (409, "invalid_transition")
    file_id = submitted.json()["files"][0]["file_id"]
    r = await client.delete(
        f"/nominations/n-1/files/{file_id}", params={"version": submitted.json()["version"]}, headers=OFFICER
    )
    assert (r.status_code, r.json()["error"]) == (409, "invalid_transition")


async def test_removing_a_file_emits_an_event_and_deletes_its_bytes(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    drafted = await draft(client)
    added = (await upload(client, "TO_TRINH", PDF_BYTES, drafted["version"])).json()
    file_id = added["files"][0]["file_id"]
    r = await client.delete(f"/nominations/n-1/files/{file_id}", params={"version": added["version"]}, headers=OFFICER)
    assert r.status_code == 200, r.text
    assert (r.json()["files"], r.json()["attachments"]) == ([], [])
    assert runtime.files(FILES).files == {}
    removed = [parse_data(e) for e in runtime.store(NOMINATIONS).events if e.type == AttachmentRemoved.event_type]
    assert [(x.file_id, x.item) for x in removed if isinstance(x, AttachmentRemoved)] == [(file_id, "TO_TRINH")]
    assert (await client.get(f"/nominations/n-1/files/{file_id}", headers=OFFICER)).status_code == 404


@pytest.mark.parametrize(
    ("role", "org", "status"),
    [
        (Role.UNIT_OFFICER, ORG, 200),
        (Role.UNIT_OFFICER, "so-tai-chinh-bac-kan", 403),
        (Role.TDKT_SPECIALIST, "so-noi-vu-thai-nguyen", 200),
        (Role.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", 200),
        (Role.COUNCIL_SECRETARY, "ubnd-tinh-thai-nguyen", 200),
        (Role.LEADER, "ubnd-tinh-thai-nguyen", 200),
        (Role.PRESS_OFFICER, "bao-thai-nguyen", 403),
        (Role.REGISTRY_ADMIN, "so-noi-vu-thai-nguyen", 403),
        (None, "", 401),
    ],
)
async def test_a_file_is_downloaded_only_by_those_who_may_read_the_dossier(
    client: httpx.AsyncClient, role: Role | None, org: str, status: int
) -> None:
    drafted = await draft(client)
    added = (await upload(client, "TO_TRINH", PDF_BYTES, drafted["version"])).json()
    sent = {"authorization": ""} if role is None else headers(role, org)
    r = await client.get(f"/nominations/n-1/files/{added['files'][0]['file_id']}", headers=sent)
    assert r.status_code == status, r.text
    if status == 200:
        assert r.content == PDF_BYTES


async def test_a_file_whose_bytes_changed_in_the_store_is_not_served(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    drafted = await draft(client)
    added = (await upload(client, "TO_TRINH", PDF_BYTES, drafted["version"])).json()
    file_id = added["files"][0]["file_id"]
    stored, _ = runtime.files(FILES).files[file_id]
    runtime.files(FILES).files[file_id] = (stored, PDF_BYTES + b"tampered")
    r = await client.get(f"/nominations/n-1/files/{file_id}", headers=OFFICER)
    assert (r.status_code, r.json()["error"]) == (500, "corrupt_file")
