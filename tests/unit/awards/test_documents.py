"""Each kind of document rendered to PDF through the API (in-memory stores, real LibreOffice and poppler): its text as
pdftotext reads it (diacritics, numbers, names, dates in Vietnamese form) and its layout as pdftoppm draws it (A4,
Decree 30/2020 margins).

`DOCUMENT_SNAPSHOTS=docs/documents` also writes page 1 of each kind there as a PNG (the README shows them).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.documents.office import Renderer, default_renderer, fill
from tdkt_awards.domain.nominations import CouncilSession, Nomination, NominationKind, Nominee, Status
from tdkt_awards.service import DEFINITION
from tdkt_awards.store import DOCUMENTS, Repositories
from tdkt_shared.auth import Role
from tdkt_shared.contract import make_event, parse_data
from tdkt_shared.contract.awards import CouncilResult, DocumentIssued, NomineeKind
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.errors import DomainError
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers
from tests.clock import ManualClock
from tests.documents.pdf import page_of, pages_of, snapshot, soffice, text_of
from tests.helpers import failing_call, loop_ticks, serve

NID = "hs-2026-017"
PROPOSER = "so-y-te-thai-nguyen"
SPECIALIST = headers(Role.TDKT_SPECIALIST, "so-noi-vu-thai-nguyen", subject="chuyen-vien-lan")
OFFICER = headers(Role.UNIT_OFFICER, PROPOSER, subject="van-thu-ha")
DAY = "2026-12-05"
PLACE_AND_DATE = "Thái Nguyên, ngày 05 tháng 12 năm 2026"
NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
NAMES = ["Nguyễn Thị Hà", "Trần Văn Đức", "Lê Thị Ngọc Ánh"]
SNAPSHOTS = os.environ.get("DOCUMENT_SNAPSHOTS")

SO_Y_TE = {"id": PROPOSER, "name": "Sở Y tế", "parent_name": "UBND tỉnh Thái Nguyên", "symbol": "SYT"}
GIAM_DOC = {"name": "Phạm Quốc Hưng", "title": "Giám đốc"}
UBND = {"id": "ubnd-tinh-thai-nguyen", "name": "Ủy ban nhân dân tỉnh Thái Nguyên", "symbol": "UBND"}
CHU_TICH = {"name": "Hoàng Minh Tuấn", "title": "Chủ tịch", "on_behalf": "TM. Ủy ban nhân dân"}
AUTHORITY = "Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên"
COUNCIL = {"id": "hd-tdkt-thai-nguyen", "name": "Hội đồng Thi đua - Khen thưởng tỉnh", "symbol": "HĐTĐKT"}


@pytest.fixture(scope="module")
def tools() -> None:
    os.environ["SOFFICE_BIN"] = soffice()
    default_renderer.cache_clear()


@pytest.fixture
def runtime() -> InMemoryRuntime:
    runtime = InMemoryRuntime(DEFINITION)
    setattr(runtime, "clock", ManualClock(datetime(2026, 12, 5, 2, tzinfo=UTC)))  # noqa: B010
    return runtime


@pytest.fixture
async def client(runtime: InMemoryRuntime, tools: None) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client


async def approved(runtime: InMemoryRuntime) -> None:
    """An approved dossier of three nominees (the council passed two), and the organisations awards knows."""
    handlers = runtime.handlers()
    for organization_id, name in ((PROPOSER, "Sở Y tế"), ("bv-da-khoa-tinh", "Bệnh viện Đa khoa tỉnh")):
        data = OrganizationRegistered(
            organization_id=organization_id, name=name, kind=OrganizationKind.DEPARTMENT, valid_from=date(2025, 7, 1)
        )
        await handlers[data.event_type](make_event(data, partitionkey=organization_id), data)
    rules = default_catalogue().rules_for(date(2026, 12, 31), "thai-nguyen")
    units = [PROPOSER, "bv-da-khoa-tinh", "bv-da-khoa-tinh"]
    nominees = [
        Nominee(nominee_id=f"p-{i}", kind=NomineeKind.INDIVIDUAL, name=name, organization_id=unit)
        for i, (name, unit) in enumerate(zip(NAMES, units, strict=True), start=1)
    ]
    results = [
        CouncilResult(
            nominee_id=x.nominee_id, members_total=9, votes_cast=8, votes_yes=yes, threshold_percent=50, passed=yes > 4
        )
        for x, yes in zip(nominees, (8, 7, 3), strict=True)
    ]
    session = CouncilSession(
        session_id="s-12", held_on=date(2026, 12, 3), members_total=9, attendees=8, results=results
    )
    nomination = Nomination(
        id=NID,
        kind=NominationKind.ANNUAL_MERIT,
        award_code="BANG_KHEN_TINH",
        year=2026,
        submitting_organization_id=PROPOSER,
        nominees=nominees,
        attachments=[],
        status=Status.APPROVED,
        rule_set_id=rules.id,
        council=session,
        audit=[],
    )
    await Repositories.of(runtime).nominations.add(nomination, (), CommandContext.system())


async def issue(client: httpx.AsyncClient, body: dict[str, Any], sent: dict[str, str] = SPECIALIST) -> dict[str, Any]:
    r = await client.post(
        f"/nominations/{NID}/documents", json={"place": "Thái Nguyên", "date": DAY, **body}, headers=sent
    )
    assert r.status_code == 201, r.text
    issued: dict[str, Any] = r.json()
    return issued


async def pdf_of(client: httpx.AsyncClient, document: dict[str, Any], tmp_path: Path) -> Path:
    r = await client.get(f"/documents/{document['id']}/pdf", headers=SPECIALIST)
    assert (r.status_code, r.headers["content-type"]) == (200, "application/pdf")
    assert r.content.startswith(b"%PDF-")
    assert hashlib.sha256(r.content).hexdigest() == document["pdf_sha256"] == r.headers["X-Content-SHA256"]
    path = tmp_path / f"{document['kind'].lower()}.pdf"
    path.write_bytes(r.content)
    if SNAPSHOTS:
        target = Path(SNAPSHOTS) / f"{document['kind'].lower()}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        snapshot(path, target)
    return path


def flat(text: str) -> str:
    """pdftotext's layout text with runs of spaces and line breaks made single spaces."""
    return " ".join(text.split())


def assert_a4_with_decree_margins(path: Path, *, landscape: bool = False, justified: bool = True) -> None:
    """Every page A4; the ink inside the margins (top, bottom 20 mm; left 30 mm; right 15 mm); on the first page of
    a justified document the text runs from the left margin to the right one."""
    for number in range(1, pages_of(path) + 1):
        page = page_of(path, number)
        size = (page.width_mm, page.height_mm)
        expected = (297.0, 210.0) if landscape else (210.0, 297.0)
        assert abs(size[0] - expected[0]) < 1, size
        assert abs(size[1] - expected[1]) < 1, size
        assert page.left_mm >= 29.5, page
        assert page.right_mm >= 14.5, page
        assert page.top_mm >= 19.5, page
        assert page.bottom_mm >= 19.5, page
        if number == 1:
            assert page.top_mm <= 25, page  # the title block starts at the top margin
            if justified:
                assert page.left_mm <= 32, page
                assert page.right_mm <= 17, page


async def test_each_kind_renders_to_a_pdf_with_its_text_and_the_decree_layout(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, tmp_path: Path
) -> None:
    await approved(runtime)

    # tờ trình, by the proposer's officer: the first number of its register this year
    proposal = await issue(
        client,
        {
            "kind": "PROPOSAL",
            "issuer": SO_Y_TE,
            "signer": GIAM_DOC,
            "addressee": "Ủy ban nhân dân tỉnh Thái Nguyên",
            "summary": "Các cá nhân trong danh sách đã hoàn thành xuất sắc nhiệm vụ, có sáng kiến được công nhận.",
            "copies_to": ["Như trên", "Ban Thi đua - Khen thưởng"],
        },
        OFFICER,
    )
    assert proposal["number"] == "01/TTr-SYT"
    text = flat(text_of(await pdf_of(client, proposal, tmp_path)))
    for expected in (*NATIONAL, "UBND TỈNH THÁI NGUYÊN", "SỞ Y TẾ", "Số: 01/TTr-SYT", PLACE_AND_DATE, "TỜ TRÌNH"):
        assert expected in text, expected
    assert "Về việc đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm 2026" in text
    assert "Kính gửi: Ủy ban nhân dân tỉnh Thái Nguyên." in text
    assert "03 cá nhân" in text
    assert "GIÁM ĐỐC" in text
    assert "Phạm Quốc Hưng" in text
    assert "Nơi nhận:" in text
    assert "- Ban Thi đua - Khen thưởng;" in text
    assert_a4_with_decree_margins(tmp_path / "proposal.pdf")

    # the list goes with that tờ trình: no number of its own
    listed = await issue(client, {"kind": "NOMINEE_LIST", "issuer": SO_Y_TE, "signer": GIAM_DOC}, OFFICER)
    assert listed["number"] is None
    text = flat(text_of(await pdf_of(client, listed, tmp_path)))
    assert "DANH SÁCH" in text
    assert "Kèm theo Tờ trình số 01/TTr-SYT ngày 05 tháng 12 năm 2026" in text
    for i, name in enumerate(NAMES, start=1):
        assert f"0{i} {name}" in text, name
    assert "Bệnh viện Đa khoa tỉnh" in text
    assert "Danh sách có 03 cá nhân" in text
    assert_a4_with_decree_margins(tmp_path / "nominee_list.pdf", justified=False)

    # the council's minutes: attendance and each nominee's vote
    minutes = await issue(
        client,
        {"kind": "COUNCIL_MINUTES", "issuer": COUNCIL, "signer": {"name": "Đỗ Thị Thu", "title": "Chủ tọa"}},
    )
    assert minutes["number"] == "01/BB-HĐTĐKT"
    text = flat(text_of(await pdf_of(client, minutes, tmp_path)))
    assert "BIÊN BẢN" in text
    assert "ngày 03 tháng 12 năm 2026" in text
    assert "8/9 thành viên" in text
    assert "01 Nguyễn Thị Hà 8/8 88,9 Đạt" in text
    assert "03 Lê Thị Ngọc Ánh 3/8 33,3 Không đạt" in text
    assert_a4_with_decree_margins(tmp_path / "council_minutes.pdf")

    # the decision, numbered from the province's register, then its document with the annex
    r = await client.post(
        f"/nominations/{NID}/decision",
        json={
            "decision_id": "qd-2026-bk-17",
            "date": DAY,
            "signer_role": "PROVINCE_CHAIRMAN",
            "issuer_id": UBND["id"],
            "issuer_symbol": "UBND",
            "version": 1,
        },
        headers=SPECIALIST,
    )
    assert r.status_code == 201, r.text
    assert r.json()["decision"]["number"] == "01/QĐ-UBND"
    bonus = r.json()["decision"]["grants"][0]["bonus_amount"]
    decision = await issue(
        client,
        {"kind": "DECISION", "issuer": UBND, "signer": CHU_TICH, "authority": AUTHORITY, "copies_to": ["Như Điều 3"]},
    )
    assert decision["number"] == "01/QĐ-UBND"
    path = await pdf_of(client, decision, tmp_path)
    text = flat(text_of(path))
    assert "QUYẾT ĐỊNH" in text
    assert "Số: 01/QĐ-UBND" in text
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN" in text
    assert "Căn cứ Nghị định 152/2025/NĐ-CP;" in text
    assert "Điều 1. Tặng Bằng khen của Chủ tịch UBND tỉnh cho 02 cá nhân" in text
    assert f"tiền thưởng {bonus:,} đồng".replace(",", ".") in text
    assert "TM. ỦY BAN NHÂN DÂN" in text
    assert "Hoàng Minh Tuấn" in text
    assert "Kèm theo Quyết định số 01/QĐ-UBND ngày 05/12/2026" in text  # the annex, on its own page
    assert "Nguyễn Thị Hà" in text
    assert "Trần Văn Đức" in text
    assert "Lê Thị Ngọc Ánh" not in text
    assert pages_of(path) == 2
    assert_a4_with_decree_margins(path)

    # the certificate of one recipient
    certificate = await issue(
        client,
        {"kind": "CERTIFICATE", "issuer": UBND, "signer": CHU_TICH, "authority": AUTHORITY, "recipient_id": "p-2"},
    )
    text = flat(text_of(await pdf_of(client, certificate, tmp_path)))
    assert "BẰNG KHEN" in text
    assert "Ông/Bà Trần Văn Đức" in text
    assert "Bệnh viện Đa khoa tỉnh" in text
    assert "Quyết định số 01/QĐ-UBND" in text
    assert "Số sổ vàng: 01/QĐ-UBND.02" in text
    assert PLACE_AND_DATE in text
    assert_a4_with_decree_margins(tmp_path / "certificate.pdf", landscape=True, justified=False)

    # every document announced once, the PDF inline (small) with its digest
    events = [parse_data(e) for e in runtime.store(DOCUMENTS).events]
    issued = [e for e in events if isinstance(e, DocumentIssued)]
    assert [e.kind for e in issued] == ["PROPOSAL", "NOMINEE_LIST", "COUNCIL_MINUTES", "DECISION", "CERTIFICATE"]
    for event in issued:
        assert event.pdf_base64 is not None
        pdf = base64.b64decode(event.pdf_base64)
        assert hashlib.sha256(pdf).hexdigest() == event.pdf_sha256
        assert len(pdf) == event.pdf_size
    assert sorted(issued[3].organization_ids) == ["bv-da-khoa-tinh", PROPOSER]


async def test_a_document_is_issued_once_and_only_after_its_step(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await approved(runtime)
    body = {"kind": "DECISION", "issuer": UBND, "signer": CHU_TICH, "place": "Thái Nguyên", "date": DAY}
    r = await client.post(f"/nominations/{NID}/documents", json=body, headers=SPECIALIST)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (409, "invalid_transition", "kind")
    proposal = {**body, "kind": "PROPOSAL", "issuer": SO_Y_TE}
    r = await client.post(f"/nominations/{NID}/documents", json=proposal, headers=OFFICER)
    assert r.status_code == 201, r.text
    again = await client.post(f"/nominations/{NID}/documents", json=proposal, headers=OFFICER)
    assert (again.status_code, again.json()["error"]) == (409, "already_exists")
    assert len(runtime.store(DOCUMENTS).events) == 1
    assert len(runtime.files("files").files) == 2  # the DOCX and the PDF of the one issued
    for form in ("pdf", "docx"):
        got = await client.get(f"/documents/{r.json()['id']}/{form}", headers=OFFICER)
        assert got.headers["content-disposition"].startswith("attachment; ")
        assert got.headers["x-content-type-options"] == "nosniff"


async def test_a_document_whose_second_file_cannot_be_stored_leaves_no_file_behind(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await approved(runtime)
    files = runtime.files("files")
    gone = "the database went away between the DOCX and the PDF"
    monkeypatch.setattr(files, "put", failing_call(files.put, 2, gone))
    body = {"kind": "PROPOSAL", "issuer": SO_Y_TE, "signer": GIAM_DOC, "place": "Thái Nguyên", "date": DAY}
    with pytest.raises(ConnectionError):
        await client.post(f"/nominations/{NID}/documents", json=body, headers=OFFICER)
    assert (files.files, runtime.store(DOCUMENTS).events) == ({}, [])
    assert (await client.post(f"/nominations/{NID}/documents", json=body, headers=OFFICER)).status_code == 201
    assert len(files.files) == 2  # the retry's DOCX and PDF, nothing else


@pytest.mark.parametrize(
    ("kind", "role", "org", "status"),
    [
        ("PROPOSAL", Role.UNIT_OFFICER, "so-tai-chinh-bac-kan", 403),
        ("COUNCIL_MINUTES", Role.UNIT_OFFICER, PROPOSER, 403),
        ("DECISION", Role.COUNCIL_SECRETARY, "ubnd-tinh-thai-nguyen", 403),
        ("DECISION", Role.LEADER, "ubnd-tinh-thai-nguyen", 403),  # the leader signs; the TĐKT body issues
        ("PROPOSAL", Role.PRESS_OFFICER, PROPOSER, 403),
    ],
)
async def test_each_kind_is_issued_by_its_own_roles(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, kind: str, role: Role, org: str, status: int
) -> None:
    await approved(runtime)
    body = {"kind": kind, "issuer": SO_Y_TE, "signer": GIAM_DOC, "place": "Thái Nguyên", "date": DAY}
    r = await client.post(f"/nominations/{NID}/documents", json=body, headers=headers(role, org))
    assert r.status_code == status, r.text
    assert runtime.store(DOCUMENTS).events == []


def own_template(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def test_an_office_uses_its_own_template_for_its_documents(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, tmp_path: Path
) -> None:
    await approved(runtime)
    default = await client.get("/document-templates/PROPOSAL", params={"issuer_id": PROPOSER}, headers=SPECIALIST)
    assert (default.status_code, default.headers["X-Template"]) == (200, "default")
    assert default.content.startswith(b"PK")

    sent = {**SPECIALIST, "content-type": "application/octet-stream"}
    url = "/document-templates/PROPOSAL"
    broken = await client.put(url, params={"issuer_id": PROPOSER}, content=own_template("{{ number "), headers=sent)
    assert (broken.status_code, broken.json()["error"]) == (422, "template_invalid")
    not_docx = await client.put(url, params={"issuer_id": PROPOSER}, content=b"%PDF-1.4\n%%EOF\n", headers=sent)
    assert (not_docx.status_code, not_docx.json()["error"]) == (415, "unsupported_file")
    assert runtime.files("files").files == {}

    mine = own_template("MẪU RIÊNG CỦA SỞ Y TẾ — Tờ trình số {{ number }}, {{ place }}, {{ date_text }}")
    r = await client.put(
        url, params={"issuer_id": PROPOSER, "filename": "mau-to-trinh.docx"}, content=mine, headers=sent
    )
    assert r.status_code == 200, r.text
    assert (r.json()["revision"], r.json()["sha256"]) == (1, hashlib.sha256(mine).hexdigest())
    current = await client.get(url, params={"issuer_id": PROPOSER}, headers=OFFICER)
    assert (current.content, current.headers["X-Template"]) == (mine, f"{PROPOSER}.proposal@1")

    proposal = await issue(client, {"kind": "PROPOSAL", "issuer": SO_Y_TE, "signer": GIAM_DOC}, OFFICER)
    assert proposal["template"] == f"{PROPOSER}.proposal@1"
    text = flat(text_of(await pdf_of(client, {**proposal, "kind": "custom"}, tmp_path)))
    assert text == f"MẪU RIÊNG CỦA SỞ Y TẾ — Tờ trình số 01/TTr-SYT, {PLACE_AND_DATE}"
    # another office still gets the default
    other = await client.get(url, params={"issuer_id": "so-giao-duc"}, headers=SPECIALIST)
    assert other.headers["X-Template"] == "default"


def with_body(xml_parts: bytes) -> bytes:
    """A real DOCX whose body holds `xml_parts` (raw WordprocessingML) after its first paragraph."""
    source = zipfile.ZipFile(io.BytesIO(own_template("Mẫu")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + xml_parts)
            package.writestr(part.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("template", "says"),
    [
        # Jinja outside the sandbox would run this on the server (the output would hold `id`'s answer)
        (own_template("{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}"), "Security"),
        (own_template("{{ ''.__class__.__mro__[1].__subclasses__() }}"), "Security"),
        (own_template("{{ 1 / 0 }}"), "ZeroDivisionError"),
        (own_template("{{ number + 1 }}"), "TypeError"),
        (own_template("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"), "RecursionError"),
        (with_body(b"<w:p/>" * 180_000), "word/document.xml is over 1 MiB"),
    ],
    ids=["builtins", "subclasses", "zero-division", "type", "recursion", "big-body"],
)
async def test_a_template_that_cannot_be_filled_safely_is_refused_and_not_kept(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, template: bytes, says: str
) -> None:
    sent = {**SPECIALIST, "content-type": "application/octet-stream"}
    r = await client.put("/document-templates/PROPOSAL", params={"issuer_id": PROPOSER}, content=template, headers=sent)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "template_invalid", "template"), r.text
    assert says in r.json()["detail"]
    assert runtime.files("files").files == {}


def damaged(part: str) -> bytes:
    """A real DOCX whose `part` has its compressed bytes overwritten: the ZIP's directory is whole, the part is not."""
    data = bytearray(own_template("Mẫu"))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part)
    name_and_extra = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + (name_and_extra & 0xFFFF) + (name_and_extra >> 16)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    return bytes(data)


@pytest.mark.parametrize(
    "template",
    [
        b"PK\x03\x04" + bytes(26) + b"word/document.xml" + bytes(40),
        own_template("Mẫu")[:-200],
        damaged("word/_rels/document.xml.rels"),
    ],
    ids=["zip-header-only", "truncated", "damaged-part"],
)
def test_a_stored_template_that_is_no_whole_package_is_refused_before_docxtpl_opens_it(template: bytes) -> None:
    with pytest.raises(DomainError, match="not a DOCX package") as refused:
        fill(template, {})
    assert (refused.value.status, refused.value.code) == (422, "template_invalid")


LINKED_PICTURE = (
    b'<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    b'<wp:extent cx="914400" cy="914400"/><wp:docPr id="9" name="p"/>'
    b'<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    b'<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    b'<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    b'<pic:nvPicPr><pic:cNvPr id="9" name="p"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
    b'<a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:link="rIdOut"/>'
    b'<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
    b'<a:ext cx="914400" cy="914400"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData>'
    b"</a:graphic></wp:inline></w:drawing></w:r></w:p>"
)
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def linking(kind: str, target: str) -> bytes:
    """A real DOCX whose body shows a picture that stays at `target`, through an external relationship of `kind`."""
    source = zipfile.ZipFile(io.BytesIO(with_body(LINKED_PICTURE)))
    out = io.BytesIO()
    link = f'<Relationship Id="rIdOut" Type="{RELATIONSHIPS}/{kind}" Target="{target}" TargetMode="External"/>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", link.encode() + b"</Relationships>")
            package.writestr(part.filename, data)
    return out.getvalue()


async def test_a_template_linking_a_picture_outside_itself_is_refused_a_hyperlink_is_not(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    sent = {**SPECIALIST, "content-type": "application/octet-stream"}
    url, issuer = "/document-templates/PROPOSAL", {"issuer_id": PROPOSER}
    picture = await client.put(url, params=issuer, content=linking("image", "http://10.0.0.1/x.png"), headers=sent)
    assert (picture.status_code, picture.json()["error"]) == (422, "template_invalid"), picture.text
    assert "links 'http://10.0.0.1/x.png' outside the document" in picture.json()["detail"]
    assert runtime.files("files").files == {}
    website = await client.put(
        url, params=issuer, content=linking("hyperlink", "https://thiduakhenthuong.vn"), headers=sent
    )
    assert website.status_code == 200, website.text


async def test_libreoffice_loads_nothing_a_document_links_to(tools: None) -> None:
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(f"{self.command} {self.path}")
            self.send_error(404)

        def do_OPTIONS(self) -> None:
            self.do_GET()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        docx = linking("image", f"http://127.0.0.1:{server.server_port}/picture.png")  # as if past the upload check
        pdf = await Renderer(os.environ["SOFFICE_BIN"]).pdf(docx)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF")
    assert asked == []  # without the profile's setting LibreOffice asks twice (OPTIONS, GET) for each picture


async def test_checking_an_uploaded_template_leaves_the_event_loop_free(client: httpx.AsyncClient) -> None:
    slow = own_template("{% for i in range(3000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}{{ number }}")
    sent = {**SPECIALIST, "content-type": "application/octet-stream"}
    async with loop_ticks() as ticks:
        r = await client.put("/document-templates/PROPOSAL", params={"issuer_id": PROPOSER}, content=slow, headers=sent)
    assert r.status_code == 200, r.text
    assert ticks() >= 5  # filled in a thread: a fill on the loop lets none run


@pytest.mark.parametrize(
    ("role", "org", "status"),
    [
        (Role.UNIT_OFFICER, PROPOSER, 200),
        (Role.UNIT_OFFICER, "so-tai-chinh-bac-kan", 403),
        (Role.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", 200),
        (Role.LEADER, "ubnd-tinh-thai-nguyen", 200),
        (Role.PRESS_OFFICER, "bao-thai-nguyen", 403),
    ],
)
async def test_a_document_is_read_by_those_who_read_its_dossier(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, role: Role, org: str, status: int
) -> None:
    await approved(runtime)
    proposal = await issue(client, {"kind": "PROPOSAL", "issuer": SO_Y_TE, "signer": GIAM_DOC}, OFFICER)
    sent = headers(role, org)
    answers = [
        await client.get(f"/documents/{proposal['id']}", headers=sent),
        await client.get(f"/documents/{proposal['id']}/pdf", headers=sent),
        await client.get(f"/documents/{proposal['id']}/docx", headers=sent),
        await client.get(f"/nominations/{NID}/documents", headers=sent),
    ]
    assert [a.status_code for a in answers] == [status] * 4
    assert (await client.get(f"/documents/{proposal['id']}/pdf")).status_code == 200  # the admin's client
    anonymous = await client.get(f"/documents/{proposal['id']}/pdf", headers={"authorization": ""})
    assert anonymous.status_code == 401
