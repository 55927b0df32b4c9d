"""The dossier screen's files and documents: each checklist item with its files (downloaded through the portal with
the user's own token), the items still missing, and the documents issued for the dossier as PDFs."""

from __future__ import annotations

import re

from tdkt_shared.auth import Role, dev_headers
from tests.helpers import PDF_BYTES, attach_files
from tests.unit.portal.conftest import Stack
from tests.unit.portal.test_screens import UNIT, call, nomination, register_unit

PROPOSAL = {
    "kind": "PROPOSAL",
    "issuer": {"id": UNIT, "name": "Sở Y tế", "parent_name": "UBND tỉnh Bắc Kạn", "symbol": "SYT"},
    "signer": {"name": "Phạm Quốc Hưng", "title": "Giám đốc"},
    "place": "Bắc Kạn",
    "date": "2025-11-20",
    "addressee": "Ủy ban nhân dân tỉnh Bắc Kạn",
}


async def test_the_dossier_lists_files_per_item_the_missing_items_and_the_documents(stack: Stack) -> None:
    await register_unit(stack)
    await call(stack, "awards", "POST", "/nominations", Role.UNIT_OFFICER, nomination("cstd-files"))
    officer = dev_headers(Role.UNIT_OFFICER, organization_id=UNIT)
    await attach_files(stack.clients["awards"], "cstd-files", ["TO_TRINH", "BAO_CAO_THANH_TICH"], officer)
    issued = await call(stack, "awards", "POST", "/nominations/cstd-files/documents", Role.UNIT_OFFICER, PROPOSAL)
    files = (await stack.clients["awards"].get("/nominations/cstd-files", headers=officer)).json()["files"]
    report = next(f for f in files if f["item"] == "BAO_CAO_THANH_TICH")

    await stack.sign_in("can-bo-y-te", UNIT, "unit_officer")
    page = "/don-vi/ho-so/cstd-files"
    html = (await stack.portal.get(page)).text
    # the checklist of CSTĐ cấp tỉnh, in the rule set's order, each item with its file or "not filed"
    rows = re.findall(r"<tr><td>([A-Z_]+)</td><td>(.*?)</td></tr>", html)
    assert [item for item, _ in rows] == ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"]
    cells = dict(rows)
    link = f'<a href="{page}/tep/{report["file_id"]}" download>BAO_CAO_THANH_TICH.pdf</a> ({len(PDF_BYTES)} byte)'
    assert link in cells["BAO_CAO_THANH_TICH"]
    assert cells["BIEN_BAN_BINH_XET"] == cells["CHUNG_NHAN_SANG_KIEN"] == '<span class="bad">Chưa nộp</span>'
    assert "Hồ sơ còn thiếu: BIEN_BAN_BINH_XET, CHUNG_NHAN_SANG_KIEN" in html
    assert f'<a href="{page}/van-ban/{issued["id"]}" download>{issued["title"]} số {issued["number"]}</a>' in html

    # the file, streamed from awards with the officer's token: the very bytes, as a download
    download = await stack.portal.get(f"{page}/tep/{report['file_id']}")
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="BAO_CAO_THANH_TICH.pdf"')
    assert download.headers["x-content-sha256"] == report["sha256"]
    document = await stack.portal.get(f"{page}/van-ban/{issued['id']}")
    assert (document.status_code, document.headers["content-type"]) == (200, "application/pdf")
    assert document.content.startswith(b"%PDF-")
    # a file that is not there, and a document of another dossier under this one, are not found
    assert (await stack.portal.get(f"{page}/tep/f-{'0' * 32}")).status_code == 404
    assert (await stack.portal.get(f"{page}/van-ban/khac.proposal")).status_code == 404
    assert (await stack.portal.get(f"{page}/tep/not-a-file-id")).status_code == 422

    # the specialist sees the same files through the specialist's screen;
    # another unit's officer gets awards' refusal, not the file
    await stack.sign_in("chuyen-vien-ha", "so-noi-vu", "tdkt_specialist")
    staff_page = "/chuyen-vien/ho-so/cstd-files"
    assert f'href="{staff_page}/tep/{report["file_id"]}"' in (await stack.portal.get(staff_page)).text
    assert (await stack.portal.get(f"{staff_page}/tep/{report['file_id']}")).content == PDF_BYTES
    await stack.sign_in("can-bo-khac", "so-tai-chinh", "unit_officer")
    refused = await stack.portal.get(f"{page}/tep/{report['file_id']}")
    assert refused.status_code == 403, refused.text
    assert "acts for so-tai-chinh, not for so-y-te-bac-kan" in refused.text
