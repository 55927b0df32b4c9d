"""The role screens over the four services (in memory, through their real HTTP APIs): a unit officer submits a
report; a specialist appraises a dossier and sends it to the council; a member votes; the roll shows the grant."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from tdkt_portal.backend import Service
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.contract.awards import AwardGranted
from tdkt_shared.contract.notify import Channel, PublicationRequested
from tdkt_shared.contract.records import InitiativeScope
from tests.helpers import attach_files
from tests.unit.awards.records import initiative, recorded
from tests.unit.portal.conftest import Stack, csrf_of

UNIT = "so-y-te-bac-kan"


def text_of(html: str) -> str:
    """The page's words, for an assertion's message."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))[-3000:]


PERSON = "hoang-van-nam"


async def call(stack: Stack, service: Service, method: str, path: str, role: Role, body: Any = None) -> Any:
    client = stack.clients[service]
    answer = await client.request(method, path, json=body, headers=dev_headers(role, organization_id=UNIT))
    assert answer.status_code < 300, answer.text
    return answer.json()


async def register_unit(stack: Stack) -> None:
    await call(
        stack,
        "registry",
        "POST",
        "/organizations",
        Role.REGISTRY_ADMIN,
        {"id": UNIT, "name": "Sở Y tế tỉnh Bắc Kạn", "kind": "DEPARTMENT", "valid_from": "2000-01-01"},
    )
    await stack.pump()


async def open_report(stack: Stack, report_id: str, due: date) -> None:
    body = {"id": report_id, "organization_id": UNIT, "kind": "PERIODIC", "period": "2025", "due_date": str(due)}
    await call(stack, "reporting", "POST", "/reports", Role.TDKT_SPECIALIST, body)


async def post_form(stack: Stack, path: str, page: str, **fields: Any) -> httpx.Response:
    html = (await stack.portal.get(page)).text
    return await stack.portal.post(path, data={"csrf_token": csrf_of(html), **fields})


async def sign_decision(stack: Stack, nomination_id: str, decision_id: str, number: str, on: str) -> httpx.Response:
    """The decision form of `/lanh-dao` for the dossier at its current version, signed by the province's chairman."""
    awards = stack.clients["awards"]
    version = (await awards.get(f"/nominations/{nomination_id}", headers=dev_headers())).json()["version"]
    return await post_form(
        stack,
        f"/lanh-dao/ho-so/{nomination_id}/quyet-dinh",
        "/lanh-dao",
        version=str(version),
        decision_id=decision_id,
        number=number,
        signed_on=on,
        signer_role="PROVINCE_CHAIRMAN",
    )


async def test_the_unit_officer_sees_due_and_overdue_reports_and_submits_one(stack: Stack) -> None:
    await register_unit(stack)
    today = datetime.now(UTC).date()
    await open_report(stack, "bc-2025-y-te", today + timedelta(days=10))
    await open_report(stack, "bc-2024-y-te", today - timedelta(days=3))
    await stack.sign_in("can-bo-y-te", UNIT, "unit_officer")

    home = (await stack.portal.get("/don-vi")).text
    overdue, due = home.index("Báo cáo quá hạn, cần nộp ngay"), home.index("Báo cáo chưa nộp")
    assert overdue < home.index("bc-2024-y-te") < due < home.index("bc-2025-y-te")

    page = await stack.portal.get("/don-vi/bao-cao/bc-2025-y-te")
    assert page.status_code == 200
    assert '<label for="narrative">' in page.text
    answer = await post_form(
        stack,
        "/don-vi/bao-cao/bc-2025-y-te/nop",
        "/don-vi/bao-cao/bc-2025-y-te",
        version="1",
        narrative="Đơn vị hoàn thành 12/12 chỉ tiêu.",
    )
    assert answer.status_code == 303
    after = (await stack.portal.get("/don-vi/bao-cao/bc-2025-y-te")).text
    assert "Đã nộp báo cáo (lần nộp thứ 1)." in after
    assert "Đã nộp" in after
    stored = await stack.services["reporting"].store("reports").get("bc-2025-y-te")
    assert stored is not None
    assert (stored.state["status"], stored.state["content"]["narrative"]) == (
        "SUBMITTED",
        "Đơn vị hoàn thành 12/12 chỉ tiêu.",
    )
    # a stale version is the service's 409, shown to the officer; nothing changes
    again = await post_form(
        stack, "/don-vi/bao-cao/bc-2025-y-te/nop", "/don-vi/bao-cao/bc-2025-y-te", version="1", narrative="x"
    )
    assert again.status_code == 303
    assert "Không thực hiện được" in (await stack.portal.get("/don-vi/bao-cao/bc-2025-y-te")).text
    # a report the service does not know: its 404 and reason on the message page, not the report's page
    missing = await stack.portal.get("/don-vi/bao-cao/bc-1999-y-te")
    assert missing.status_code == 404
    assert "Không mở được báo cáo" in missing.text
    assert "Không thực hiện được" in missing.text


async def test_screens_need_their_roles_and_a_session(stack: Stack) -> None:
    answer = await stack.portal.get("/chuyen-vien")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dang-nhap?next=%2Fchuyen-vien"
    await stack.sign_in("can-bo", UNIT, "unit_officer")
    for path in ("/chuyen-vien", "/hoi-dong"):
        refused = await stack.portal.get(path)
        assert refused.status_code == 403, path
        assert "Không có quyền truy cập" in refused.text
    # a form post without the session's token is refused before anything reaches a service
    forged = await stack.portal.post("/don-vi/bao-cao/x/nop", data={"csrf_token": "forged", "version": "1"})
    assert forged.status_code == 403


def nomination(nid: str) -> dict[str, Any]:
    return {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "CSTD_TINH",
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": UNIT,
        "nominees": [
            {
                "nominee_id": PERSON,
                "kind": "INDIVIDUAL",
                "name": "Hoàng Văn Nam",
                "organization_id": UNIT,
            }
        ],
    }


CHECKLIST = ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"]


async def test_a_dossier_goes_from_the_specialist_to_the_council_and_onto_the_roll(stack: Stack) -> None:
    await register_unit(stack)
    history = [
        {
            "recipient_id": PERSON,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Hoàng Văn Nam",
            "award_code": "CSTD_CO_SO",
            "year": y,
            "decision_number": f"{y}/QĐ-SNV",
            "decision_date": f"{y}-12-10",
            "organization_id": UNIT,
        }
        for y in (2023, 2024, 2025)
    ]
    await call(
        stack, "awards", "POST", "/grants/imports", Role.TDKT_SPECIALIST, {"batch_id": "ls-1", "grants": history}
    )
    # the initiative of provincial scope is the registry's record, as awards receives it
    await recorded(
        stack.services["awards"],
        initiative("sk-1", PERSON, scope=InitiativeScope.PROVINCE, on=date(2025, 4, 1)),
    )
    await call(stack, "awards", "POST", "/nominations", Role.UNIT_OFFICER, nomination("cstd-nam"))
    officer = dev_headers(Role.UNIT_OFFICER, organization_id=UNIT)
    filed = await attach_files(stack.clients["awards"], "cstd-nam", CHECKLIST, officer)
    await call(
        stack, "awards", "POST", "/nominations/cstd-nam/submit", Role.UNIT_OFFICER, {"version": filed.json()["version"]}
    )

    await stack.sign_in("chuyen-vien-ha", "so-noi-vu", "tdkt_specialist")
    home = (await stack.portal.get("/chuyen-vien")).text
    assert home.index("Chờ tiếp nhận") < home.index("cstd-nam") < home.index("Đã tiếp nhận, chờ thẩm định")
    page = "/chuyen-vien/ho-so/cstd-nam"
    for step, expected in (
        ("receive", "Đã tiếp nhận"),
        ("start-appraisal", "Đang thẩm định"),
        ("appraise", "Đủ điều kiện"),
    ):
        version = (await stack.clients["awards"].get("/nominations/cstd-nam", headers=dev_headers())).json()["version"]
        answer = await post_form(stack, f"{page}/{step}", page, version=str(version))
        assert answer.status_code == 303
        html = (await stack.portal.get(page)).text
        assert f'<dd id="trang-thai">{expected}</dd>' in html, text_of(html)
    # the eligibility explanation, rule by rule, with its legal basis
    assert "Kết quả xét điều kiện, tiêu chuẩn" in html
    assert html.count('<span class="ok">Đạt</span>') >= 2
    assert "<tr><td>Chuỗi danh hiệu liên tục</td>" in html  # the rule named in Vietnamese
    assert "Chiến sĩ thi đua cấp tỉnh (2025)" in html  # the award's name, not its code
    assert "CHUNG_NHAN_SANG_KIEN" in html
    version = (await stack.clients["awards"].get("/nominations/cstd-nam", headers=dev_headers())).json()["version"]
    await post_form(stack, f"{page}/to-council", page, version=str(version), council_session_on="")
    assert '<dd id="trang-thai">Trình Hội đồng</dd>' in (await stack.portal.get(page)).text

    await stack.sign_in("uy-vien-binh", "ubnd-tinh", "council_member")
    agenda = (await stack.portal.get("/hoi-dong")).text
    assert "cstd-nam" in agenda
    ballot_page = "/hoi-dong/ho-so/cstd-nam"
    ballot = (await stack.portal.get(ballot_page)).text
    assert "Phiếu biểu quyết" in ballot
    version = (await stack.clients["awards"].get("/nominations/cstd-nam", headers=dev_headers())).json()["version"]
    answer = await post_form(
        stack,
        f"{ballot_page}/bieu-quyet",
        ballot_page,
        version=str(version),
        session_id="phien-12",
        held_on="2025-12-18",
        members_total="11",
        attendees="10",
        nominee_id=PERSON,
        yes_present="10",
        no_present="0",
    )
    assert answer.status_code == 303
    voted = (await stack.portal.get(ballot_page)).text
    assert "Đã ghi kết quả biểu quyết: Hội đồng thông qua." in voted
    assert "10/10 phiếu đồng ý" in voted

    # the decision, recorded for the signer, then read and downloaded as a document
    await stack.sign_in("chuyen-vien-ha", "so-noi-vu", "tdkt_specialist")
    waiting = (await stack.portal.get("/lanh-dao")).text
    assert "Hồ sơ Hội đồng đã thông qua, chờ ký quyết định (1)" in waiting
    signed = await sign_decision(stack, "cstd-nam", "qd-99", "99/QĐ-UBND", "2025-12-20")
    assert signed.headers["location"] == "/lanh-dao/quyet-dinh/qd-99"
    document = (await stack.portal.get("/lanh-dao/quyet-dinh/qd-99")).text
    assert "Quyết định số 99/QĐ-UBND" in document
    assert "Chủ tịch UBND tỉnh" in document
    download = await stack.portal.get("/lanh-dao/quyet-dinh/qd-99/tai-ve")
    assert download.headers["content-disposition"] == 'attachment; filename="quyet-dinh-qd-99.json"'
    assert download.json()["grants"][0]["grant_id"] == f"qd-99.{PERSON}"
    assert (await stack.portal.get("/lanh-dao/quyet-dinh/khong-co")).status_code == 404
    await stack.pump()
    roll = (await stack.portal.get("/vinh-danh", params={"q": "hoang van nam", "danh_hieu": "CSTD_TINH"})).text
    assert "1 kết quả" in roll
    assert f'href="/vinh-danh/qd-99.{PERSON}"' in roll
    entry = (await stack.portal.get(f"/vinh-danh/qd-99.{PERSON}")).text
    assert "99/QĐ-UBND, ngày 20/12/2025" in entry
    assert "Sở Y tế tỉnh Bắc Kạn" in entry

    # the press body asked to publish it finds the request and the honour's page
    [granted] = [
        e
        for e in stack.services["awards"].store("decisions").events
        if e.type == AwardGranted.event_type and e.data["grant_id"] == f"qd-99.{PERSON}"
    ]
    await stack.deliver(
        PublicationRequested(
            source_event_id=granted.id,
            source_event_type=granted.type,
            organization_id="bao-bac-kan",
            on=date(2025, 12, 21),
            rule_id="publicity",
            channels=[Channel.INBOX],
        )
    )
    await stack.sign_in("phong-vien", "bao-bac-kan", "press_officer")
    press = (await stack.portal.get("/bao-chi")).text
    assert "Hoàng Văn Nam: Chiến sĩ thi đua cấp tỉnh năm 2025, Quyết định 99/QĐ-UBND" in press
    assert f'href="/vinh-danh/qd-99.{PERSON}"' in press
    assert (
        "bao-bac-kan: đề nghị đăng tải ngày 21/12/2025" in (await stack.portal.get(f"/vinh-danh/qd-99.{PERSON}")).text
    )
