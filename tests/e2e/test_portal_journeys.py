"""The portal in a real browser against the real stack: the four services and the portal as processes, Kafka and
FerretDB. Three journeys: a unit officer submits a report; a specialist appraises a dossier and sends it to the
council, a member votes (and the leader signs the decision); the public page shows the resulting honouree. Every page
visited passes axe-core's WCAG 2.1 A/AA rules; the public search is used with the keyboard alone.

`TDKT_SCREENSHOTS=docs/screenshots` keeps a screenshot of each screen there (the README shows them)."""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tdkt_portal.labels import role as role_label
from tdkt_shared.auth import Role, dev_headers
from tests.e2e.browser import Axe, chromium
from tests.e2e.processes import services
from tests.helpers import PDF_BYTES, attach_files
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("drop_databases")]
BROWSING: dict[str, Any] = {"bypass_csp": True, "locale": "vi-VN", "viewport": {"width": 1280, "height": 900}}
"""The CSP is bypassed for axe-core's injected script only: the portal's own pages need no exception."""
CHECKLIST = ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"]


class Screens:
    """Checks each page with axe and, when asked, keeps a screenshot of it."""

    def __init__(self, axe: Axe, where: Path | None) -> None:
        self.axe = axe
        self.where = where
        self.taken: list[str] = []

    async def visit(self, page: Page, name: str) -> None:
        await page.wait_for_load_state("networkidle")
        await self.axe.check(page)
        if self.where is not None:
            self.where.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(self.where / f"{name}.png"), full_page=True)
        self.taken.append(name)


class Api:
    def __init__(self, ports: dict[str, int]) -> None:
        self.ports = ports

    async def call(self, service: str, method: str, path: str, role: Role, org: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.ports[service]}", timeout=30) as client:
            answer = await client.request(method, path, json=body, headers=dev_headers(role, organization_id=org))
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    async def find(self, service: str, path: str, role: Role, org: str) -> Any:
        """What `GET path` gives, or None while it is 404 (a projection not caught up yet)."""
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.ports[service]}", timeout=30) as client:
            answer = await client.get(path, headers=dev_headers(role, organization_id=org))
        if answer.status_code == 404:
            return None
        assert answer.status_code < 300, f"GET {path}: {answer.status_code} {answer.text}"
        return answer.json()

    async def attach(self, nomination_id: str, items: list[str], role: Role, org: str) -> Any:
        """Each checklist item filed as a PDF, as the proposer uploads it; the nomination after the last."""
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.ports['awards']}", timeout=30) as client:
            answer = await attach_files(client, nomination_id, items, dev_headers(role, organization_id=org))
        return answer.json()

    async def knows(self, service: str, organization_id: str) -> bool:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.ports[service]}", timeout=30) as client:
            return (await client.get(f"/organizations/{organization_id}")).status_code == 200


async def sign_in(page: Page, base: str, subject: str, org: str, role: Role) -> None:
    await page.goto(f"{base}/dang-nhap")
    await page.get_by_label("Tên đăng nhập").fill(subject)
    await page.get_by_label("Mã đơn vị").fill(org)
    await page.get_by_label(role_label(role.value), exact=True).check()
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_load_state()


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_load_state()


@pytest.mark.timeout(900)
async def test_three_journeys_in_a_browser(make_settings: SettingsFactory, run_id: str, tmp_path: Path) -> None:
    unit, home_affairs, press, province = (f"{p}-{run_id}" for p in ("so-y-te", "so-noi-vu", "bao", "ubnd-tinh"))
    person, nomination, report = f"hoang-van-nam-{run_id}", f"cstd-{run_id}", f"bc-2025-{run_id}"
    shots = os.environ.get("TDKT_SCREENSHOTS")
    screens = Screens(Axe(), Path(shots) if shots else tmp_path / "screens")
    async with services(make_settings, {}, tmp_path) as ports:
        urls = {f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
        async with services(make_settings, urls, tmp_path, names=("portal",)) as portal_ports:
            base = f"http://127.0.0.1:{portal_ports['portal']}"
            api = Api(ports)
            # the registry's organisations and the press body's role, known everywhere through the bus
            for org_id, name, kind, parent in (
                (province, "UBND tỉnh Bắc Kạn", "PEOPLES_COMMITTEE", None),
                (unit, "Sở Y tế tỉnh Bắc Kạn", "DEPARTMENT", province),
                (home_affairs, "Sở Nội vụ tỉnh Bắc Kạn", "DEPARTMENT", province),
                (press, "Báo Bắc Kạn", "PRESS", province),
            ):
                body = {"id": org_id, "name": name, "kind": kind, "valid_from": "2000-01-01"}
                body |= {"parent_id": parent} if parent else {}
                await api.call("registry", "POST", "/organizations", Role.REGISTRY_ADMIN, province, body)
            assignment = {
                "role": "PRESS_COMMUNICATION",
                "organization_id": press,
                "valid_from": "2008-01-01",
                "scope_organization_id": province,
            }
            await api.call("registry", "POST", "/role-assignments", Role.REGISTRY_ADMIN, province, assignment)
            for service in ("reporting", "awards"):

                async def known(service: str = service) -> bool:
                    return await api.knows(service, unit)

                await eventually(known, timeout_s=120, what=f"{service} knows {unit}")
            due = datetime.now(UTC).date() + timedelta(days=7)
            opened = {"id": report, "organization_id": unit, "kind": "PERIODIC", "period": "2025", "due_date": str(due)}
            await api.call("reporting", "POST", "/reports", Role.TDKT_SPECIALIST, home_affairs, opened)

            async with chromium() as browser:
                page = await (await browser.new_context(**BROWSING)).new_page()

                # 1. a unit officer submits a report
                await page.goto(f"{base}/dang-nhap")
                await screens.visit(page, "01-dang-nhap")
                await sign_in(page, base, "can-bo-y-te", unit, Role.UNIT_OFFICER)
                await expect(page).to_have_url(f"{base}/don-vi")
                await expect(page.get_by_role("link", name=report)).to_be_visible()
                await screens.visit(page, "02-don-vi")
                await page.get_by_role("link", name=report).click()
                await page.get_by_label("Nội dung báo cáo").fill("Đơn vị hoàn thành 12/12 chỉ tiêu thi đua năm 2025.")
                await screens.visit(page, "03-bao-cao")
                await page.get_by_role("button", name="Nộp báo cáo").click()
                await expect(page.get_by_role("status")).to_have_text("Đã nộp báo cáo (lần nộp thứ 1).")
                await expect(page.locator("#trang-thai")).to_have_text("Đã nộp")
                submitted = await api.call("reporting", "GET", f"/reports/{report}", Role.TDKT_SPECIALIST, home_affairs)
                assert (submitted["status"], submitted["content"]["narrative"]) == (
                    "SUBMITTED",
                    "Đơn vị hoàn thành 12/12 chỉ tiêu thi đua năm 2025.",
                )

                # the dossier: the unit's history, then its nomination, drafted and submitted through the API
                history = [
                    {
                        "recipient_id": person,
                        "recipient_kind": "INDIVIDUAL",
                        "recipient_name": "Hoàng Văn Nam",
                        "award_code": "CSTD_CO_SO",
                        "year": y,
                        "decision_number": f"{y}/QĐ-SNV",
                        "decision_date": f"{y}-12-10",
                        "organization_id": unit,
                    }
                    for y in (2023, 2024, 2025)
                ]
                # the initiative of provincial scope, recorded in the registry by the initiative council and
                # received by awards from the bus: awards judges from records, not from the dossier
                await api.call(
                    "registry",
                    "POST",
                    "/persons",
                    Role.REGISTRY_ADMIN,
                    province,
                    {"id": person, "full_name": "Hoàng Văn Nam"},
                )
                certificate = {
                    "title": "Sáng kiến cải tiến quy trình tiếp nhận người bệnh",
                    "author_ids": [person],
                    "recognizing_organization_id": province,
                    "scope": "PROVINCE",
                    "recognized_on": "2025-04-01",
                    "certificate_number": f"1/GCN-SK-{run_id}",
                }
                await api.call("registry", "POST", "/initiatives", Role.INITIATIVE_OFFICER, province, certificate)

                async def on_record() -> bool:
                    found = await api.find("awards", f"/records/{person}", Role.TDKT_SPECIALIST, home_affairs)
                    return bool(found and found["initiatives"])

                await eventually(on_record, timeout_s=120, what=f"{person}'s initiative in awards")
                imported = {"batch_id": f"ls-{run_id}", "grants": history}
                await api.call("awards", "POST", "/grants/imports", Role.TDKT_SPECIALIST, home_affairs, imported)
                draft = {
                    "id": nomination,
                    "kind": "ANNUAL_MERIT",
                    "award_code": "CSTD_TINH",
                    "year": 2025,
                    "territory": "thai-nguyen",
                    "submitting_organization_id": unit,
                    "nominees": [
                        {
                            "nominee_id": person,
                            "kind": "INDIVIDUAL",
                            "name": "Hoàng Văn Nam",
                            "organization_id": unit,
                        }
                    ],
                }
                await api.call("awards", "POST", "/nominations", Role.UNIT_OFFICER, unit, draft)
                filed = await api.attach(nomination, CHECKLIST, Role.UNIT_OFFICER, unit)
                step = {"version": filed["version"]}
                await api.call("awards", "POST", f"/nominations/{nomination}/submit", Role.UNIT_OFFICER, unit, step)
                await sign_out(page)

                # 2. a specialist receives and appraises the dossier and sends it to the council; a member votes
                await sign_in(page, base, "chuyen-vien-ha", home_affairs, Role.TDKT_SPECIALIST)
                await expect(page).to_have_url(f"{base}/chuyen-vien")
                await screens.visit(page, "04-chuyen-vien")
                await page.get_by_role("link", name=nomination).click()
                for button, status in (
                    ("Tiếp nhận", "Đã tiếp nhận"),
                    ("Bắt đầu thẩm định", "Đang thẩm định"),
                    ("Thẩm định", "Đủ điều kiện"),
                ):
                    await page.get_by_role("button", name=button, exact=True).click()
                    await expect(page.locator("#trang-thai")).to_have_text(status)
                await expect(page.get_by_role("table").filter(has_text="Tiêu chuẩn").first).to_be_visible()
                await screens.visit(page, "05-tham-dinh-ho-so")
                await page.get_by_role("button", name="Trình Hội đồng").click()
                await expect(page.locator("#trang-thai")).to_have_text("Trình Hội đồng")
                await sign_out(page)

                await sign_in(page, base, "uy-vien-binh", province, Role.COUNCIL_MEMBER)
                await expect(page).to_have_url(f"{base}/hoi-dong")
                await screens.visit(page, "06-hoi-dong")
                await page.get_by_role("link", name=nomination).first.click()
                await page.get_by_label("Tổng số thành viên").fill("11")
                await page.get_by_label("Số thành viên dự họp").fill("10")
                await page.get_by_label("Số phiếu đồng ý").fill("10")
                await screens.visit(page, "07-phieu-bieu-quyet")
                await page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
                await expect(page.get_by_role("status")).to_have_text("Đã ghi kết quả biểu quyết: Hội đồng thông qua.")
                await expect(page.locator("#trang-thai")).to_have_text("Hội đồng thông qua")
                await sign_out(page)

                # the leader lands on the decisions awaiting signature, signs one and reads it as a document
                await sign_in(page, base, "chu-tich-tuan", province, Role.LEADER)
                await expect(page).to_have_url(f"{base}/lanh-dao")
                await expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định chờ ký")
                await page.get_by_label("Số quyết định").fill("123/QĐ-UBND")
                await screens.visit(page, "08-quyet-dinh-cho-ky")
                await page.get_by_role("button", name="Ký quyết định").click()
                await expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định số 123/QĐ-UBND")
                await expect(page.locator("#nguoi-ky")).to_contain_text("chu-tich-tuan")
                await screens.visit(page, "09-quyet-dinh")
                await sign_out(page)

                # 3. the public page shows the honouree, from award.granted through the portal's consumer
                visitor = await (await browser.new_context(**BROWSING)).new_page()

                async def on_the_roll() -> bool:
                    await visitor.goto(f"{base}/vinh-danh?q=hoang+van+nam&danh_hieu=CSTD_TINH")
                    return await visitor.get_by_role("link", name="Hoàng Văn Nam").count() == 1

                await eventually(on_the_roll, timeout_s=120, what="the honouree on the public roll")
                await visitor.goto(f"{base}/vinh-danh")
                await visitor.keyboard.press("Tab")
                assert await visitor.evaluate("document.activeElement.textContent") == "Bỏ qua, đến nội dung chính"
                search = visitor.get_by_label("Tên tập thể, cá nhân")
                await search.focus()
                await visitor.keyboard.type("hoang van nam")
                await visitor.keyboard.press("Enter")  # htmx swaps the results in; the address follows
                await expect(visitor).to_have_url(re.compile(r"q=hoang(\+|%20)van(\+|%20)nam"))
                await expect(visitor.get_by_text("4 kết quả")).to_be_visible()  # the new grant and the 3 imported
                await screens.visit(visitor, "10-vinh-danh")
                await visitor.locator(f'a[href="/vinh-danh/qd-{nomination}.{person}"]').focus()
                await visitor.keyboard.press("Enter")
                await expect(visitor.get_by_role("heading", level=1)).to_have_text("Hoàng Văn Nam")
                await expect(visitor.get_by_text("123/QĐ-UBND")).to_be_visible()
                await expect(visitor.get_by_text("Chiến sĩ thi đua cấp tỉnh")).to_be_visible()
                assert visitor.url.endswith(f"/vinh-danh/qd-{nomination}.{person}")

                # the press body was asked to publish it (notify's publication.requested), and sees the request
                async def published() -> bool:
                    await visitor.reload()
                    return await visitor.get_by_text("Báo Bắc Kạn: đề nghị đăng tải").count() == 1

                await eventually(published, timeout_s=120, what="the publication request on the honour's page")
                await screens.visit(visitor, "11-trang-vinh-danh")
                await sign_in(page, base, "phong-vien", press, Role.PRESS_OFFICER)
                await expect(page).to_have_url(f"{base}/bao-chi")
                await expect(page.get_by_role("link", name="Xem trang vinh danh")).to_be_visible()
                await screens.visit(page, "12-bao-chi")
                await sign_out(page)

                # the unit officer's view of the decided dossier: the eligibility explanation rule by rule
                await sign_in(page, base, "can-bo-y-te", unit, Role.UNIT_OFFICER)
                await page.get_by_role("link", name=nomination).click()
                await expect(page.locator("#trang-thai")).to_have_text("Đã có quyết định")
                # each checklist item with its file, downloaded through the portal
                await expect(page.get_by_role("cell", name="CHUNG_NHAN_SANG_KIEN", exact=True)).to_be_visible()
                async with page.expect_download() as downloading:
                    await page.get_by_role("link", name="CHUNG_NHAN_SANG_KIEN.pdf").click()
                downloaded = await downloading.value
                assert downloaded.suggested_filename == "CHUNG_NHAN_SANG_KIEN.pdf"
                assert await asyncio.to_thread(Path(await downloaded.path()).read_bytes) == PDF_BYTES
                await screens.visit(page, "13-ho-so-don-vi")
    assert len(screens.taken) == 13
