"""The leader's screen (lãnh đạo, người có thẩm quyền quyết định khen thưởng): signed in, the leader lands on the
decisions awaiting signature, signs one, and downloads the documents issued for the decided dossier. The specialist
keeps entering decisions signed on paper on the same screen, in its own words."""

from __future__ import annotations

from tdkt_shared.auth import Role, dev_headers
from tests.unit.awards.test_documents import NID, UBND, approved
from tests.unit.portal.conftest import Stack, csrf_of
from tests.unit.portal.test_screens import sign_decision

LEADER = "chu-tich-tuan"
PROVINCE = "ubnd-tinh-thai-nguyen"
DECISION_DOCUMENT = {
    "kind": "DECISION",
    "issuer": UBND,
    "signer": {"name": "Hoàng Minh Tuấn", "title": "Chủ tịch", "on_behalf": "TM. Ủy ban nhân dân"},
    "authority": "Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên",
    "place": "Thái Nguyên",
    "date": "2026-12-05",
}


async def test_the_leader_signs_a_decision_and_downloads_its_documents(stack: Stack) -> None:
    awards = stack.clients["awards"]
    await approved(stack.services["awards"])

    # the specialist sees the dossier to enter a decision signed on paper, in today's words
    await stack.sign_in("chuyen-vien-ha", "so-noi-vu", "tdkt_specialist")
    recorded = (await stack.portal.get("/lanh-dao")).text
    assert "Hồ sơ Hội đồng đã thông qua, chờ ký quyết định (1)" in recorded
    assert "Ghi quyết định đã ký" in recorded
    assert "Ký quyết định" not in recorded

    # the leader signs in and lands on the decisions awaiting signature
    page = await stack.portal.get("/dang-nhap")
    offered = '<input type="checkbox" id="role-leader" name="role" value="leader">'
    assert offered in page.text
    assert "Lãnh đạo, người có thẩm quyền quyết định khen thưởng</label>" in page.text
    answer = await stack.portal.post(
        "/dang-nhap",
        data={"csrf_token": csrf_of(page.text), "subject": LEADER, "organization_id": PROVINCE, "role": ["leader"]},
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/lanh-dao")
    waiting = (await stack.portal.get("/lanh-dao")).text
    assert "<h1>Quyết định chờ ký</h1>" in waiting
    assert "Hồ sơ Hội đồng đã thông qua, chờ lãnh đạo ký (1)" in waiting
    assert f'action="/lanh-dao/ho-so/{NID}/quyet-dinh"' in waiting
    assert '<button type="submit">Ký quyết định</button>' in waiting
    assert 'href="/lanh-dao" aria-current="page">Quyết định</a>' in waiting  # the leader's menu entry

    signed = await sign_decision(stack, NID, "qd-tn-7", "7/QĐ-UBND", "2026-12-05")
    assert (signed.status_code, signed.headers["location"]) == (303, "/lanh-dao/quyet-dinh/qd-tn-7")

    # the dossier is decided, and awards records the leader as the one who signed
    dossier = (await awards.get(f"/nominations/{NID}", headers=dev_headers())).json()
    last = dossier["audit"][-1]
    assert (dossier["status"], dossier["decision_id"]) == ("DECIDED", "qd-tn-7")
    assert (last["action"], last["actor"], last["organization_id"]) == ("decide", LEADER, PROVINCE)
    decision = (await awards.get("/decisions/qd-tn-7", headers=dev_headers())).json()
    assert (decision["signed_by"], decision["number"], len(decision["grants"])) == (LEADER, "7/QĐ-UBND", 2)
    public = (await awards.get("/decisions/qd-tn-7")).json()  # the decision is public, the signer's account is not
    assert (public["signed_by"], public["number"]) == (None, "7/QĐ-UBND")
    officer = dev_headers(Role.UNIT_OFFICER, organization_id=PROVINCE)
    assert (await awards.get("/decisions/qd-tn-7", headers=officer)).json()["signed_by"] is None
    forged = await awards.get("/decisions/qd-tn-7", headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401

    shown = (await stack.portal.get("/lanh-dao/quyet-dinh/qd-tn-7")).text
    assert "Đã ký Quyết định số 7/QĐ-UBND." in shown
    assert f'<dd id="nguoi-ky">Chủ tịch UBND tỉnh ({LEADER}, ký trên Cổng)</dd>' in shown
    assert "Chưa phát hành văn bản nào cho hồ sơ này." in shown
    home = (await stack.portal.get("/lanh-dao")).text
    assert "chờ lãnh đạo ký (0)" in home
    assert 'href="/lanh-dao/quyet-dinh/qd-tn-7"' in home

    # the TĐKT body issues the decision document; the leader downloads its PDF through the portal
    specialist = dev_headers(Role.TDKT_SPECIALIST, organization_id="so-noi-vu-thai-nguyen")
    issued = await awards.post(f"/nominations/{NID}/documents", json=DECISION_DOCUMENT, headers=specialist)
    assert issued.status_code == 201, issued.text
    document = issued.json()
    shown = (await stack.portal.get("/lanh-dao/quyet-dinh/qd-tn-7")).text
    link = f"/lanh-dao/ho-so/{NID}/van-ban/{document['id']}"
    assert f'<a href="{link}" download>{document["title"]} số {document["number"]}</a>' in shown
    pdf = await stack.portal.get(link)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")
    # a document named under another dossier is not found here
    assert (await stack.portal.get(f"/lanh-dao/ho-so/khac/van-ban/{document['id']}")).status_code == 404


async def test_a_leader_cannot_take_the_specialists_steps_through_the_portal(stack: Stack) -> None:
    await stack.sign_in(LEADER, PROVINCE, "leader")
    for screen in ("/chuyen-vien", "/hoi-dong", "/don-vi"):
        assert (await stack.portal.get(screen)).status_code == 403, screen
    await approved(stack.services["awards"])
    html = (await stack.portal.get("/lanh-dao")).text
    refused = await stack.portal.post(
        f"/chuyen-vien/ho-so/{NID}/hold", data={"csrf_token": csrf_of(html), "version": "1", "reason": "x"}
    )
    assert refused.status_code == 403
    dossier = (await stack.clients["awards"].get(f"/nominations/{NID}", headers=dev_headers())).json()
    assert dossier["status"] == "APPROVED"
