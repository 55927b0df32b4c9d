"""The public honour roll: built from award and publication events, searchable, one permanent page per honour."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tdkt_portal.domain.honourees import Honouree, granted, words
from tdkt_portal.handlers import honourees as roll_handlers
from tdkt_portal.handlers.honourees import Found, RollCache, Search
from tdkt_portal.store import HONOUREES, Repositories
from tdkt_shared.contract import make_event
from tdkt_shared.contract.awards import AwardRevoked, RevocationReason
from tdkt_shared.contract.notify import Channel, PublicationRequested
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tests.unit.portal.conftest import Stack
from tests.unit.portal.grants import grant


def test_search_words_ignore_case_and_diacritics() -> None:
    assert words("Nguyễn Thị Hà") == ["nguyen", "thi", "ha"]
    assert words("ĐẶNG Văn Đức, Sở Y tế") == ["dang", "van", "duc", "so", "y", "te"]


def test_an_entry_carries_what_the_public_sees_of_its_grant_and_nothing_else() -> None:
    data = grant("qd-1.an", "Trần Văn An").model_copy(update={"imported": True})
    assert granted(None, "ev-1", data) == Honouree(
        grant_id="qd-1.an",
        recipient_id="p-qd-1.an",
        recipient_name="Trần Văn An",
        recipient_kind=data.recipient_kind,
        award_code="CSTD_TINH",
        award_kind="ANNUAL_MERIT",
        year=2025,
        organization_id="so-y-te",
        decision_number="qd-1.an/QĐ-UBND",
        decision_date=date(2025, 12, 20),
        imported=True,
        granted_event_id="ev-1",
        terms=["tran", "van", "an"],
    )


async def test_the_roll_lists_grants_newest_first_with_award_and_unit_names(stack: Stack) -> None:
    await stack.deliver(
        OrganizationRegistered(
            organization_id="so-y-te",
            name="Sở Y tế Bắc Kạn",
            kind=OrganizationKind.DEPARTMENT,
            valid_from=date(2000, 1, 1),
        )
    )
    await stack.deliver(grant("qd-1.ha", "Nguyễn Thị Hà", year=2024))
    await stack.deliver(grant("qd-2.duc", "Đặng Văn Đức", code="LDTT", year=2025))

    page = await stack.portal.get("/vinh-danh")
    assert page.status_code == 200
    html = page.text
    assert "2 kết quả" in html
    assert html.index("Đặng Văn Đức") < html.index("Nguyễn Thị Hà")  # 2025 before 2024
    assert "Chiến sĩ thi đua cấp tỉnh" in html  # the name from awards' catalogue, not the code
    assert "Sở Y tế Bắc Kạn" in html
    assert 'href="/vinh-danh/qd-1.ha"' in html
    assert '<html lang="vi">' in html


async def test_search_by_name_without_accents_year_award_and_unit(stack: Stack) -> None:
    await stack.deliver(grant("qd-1.ha", "Nguyễn Thị Hà", year=2024))
    await stack.deliver(grant("qd-2.hai", "Trần Văn Hải", year=2025, org="so-tai-chinh"))
    await stack.deliver(grant("qd-3.ha", "Lê Thu Hà", code="LDTT", year=2025))

    async def names(**params: str) -> list[str]:
        html = (await stack.portal.get("/vinh-danh", params=params, headers={"HX-Request": "true"})).text
        assert "<html" not in html  # htmx gets the fragment only
        return [n for n in ("Nguyễn Thị Hà", "Trần Văn Hải", "Lê Thu Hà") if n in html]

    assert await names(q="nguyen ha") == ["Nguyễn Thị Hà"]
    assert await names(q="Hà") == ["Nguyễn Thị Hà", "Lê Thu Hà"]
    assert await names(nam="2025") == ["Trần Văn Hải", "Lê Thu Hà"]
    assert await names(danh_hieu="LDTT") == ["Lê Thu Hà"]
    assert await names(don_vi="so-tai-chinh") == ["Trần Văn Hải"]
    assert await names(q="ha", nam="2024", danh_hieu="", don_vi="") == ["Nguyễn Thị Hà"]
    assert await names(q="khong-co") == []
    bad = await stack.portal.get("/vinh-danh", params={"nam": "abcd"})
    assert bad.status_code == 422


async def test_a_permanent_page_shows_the_press_requests_and_survives_revocation(stack: Stack) -> None:
    granted = grant("qd-9.ha", "Nguyễn Thị Hà")
    event = make_event(granted, partitionkey=granted.recipient_id)
    handlers = stack.runtime.handlers()
    assert await handlers[granted.event_type](event, granted) is True
    assert await handlers[granted.event_type](event, granted) is False  # once, whatever the redeliveries
    request = PublicationRequested(
        source_event_id=event.id,
        source_event_type=granted.event_type,
        organization_id="bao-bac-kan",
        on=date(2025, 12, 21),
        rule_id="publicity",
        channels=[Channel.WEBHOOK],
    )
    await stack.deliver(request)

    page = await stack.portal.get("/vinh-danh/qd-9.ha")
    assert page.status_code == 200
    assert "Nguyễn Thị Hà" in page.text
    assert "qd-9.ha/QĐ-UBND" in page.text
    assert "bao-bac-kan: đề nghị đăng tải ngày 21/12/2025" in page.text

    await stack.deliver(
        AwardRevoked(
            grant_id="qd-9.ha",
            recipient_id=granted.recipient_id,
            award_code="CSTD_TINH",
            reason=RevocationReason.FALSE_INFO,
            decision_number="15/QĐ-UBND",
            revoked_on=date(2026, 3, 2),
        )
    )
    after = await stack.portal.get("/vinh-danh/qd-9.ha")
    assert "đã bị hủy bỏ theo Quyết định 15/QĐ-UBND ngày 02/03/2026" in after.text
    assert "0 kết quả" in (await stack.portal.get("/vinh-danh")).text
    assert (await stack.portal.get("/vinh-danh/khong-co")).status_code == 404


async def test_a_revocation_learnt_before_its_grant_is_kept(stack: Stack) -> None:
    revoked = AwardRevoked(
        grant_id="qd-5.x",
        recipient_id="p-x",
        award_code="LDTT",
        reason=RevocationReason.FRAUD,
        decision_number="2/QĐ",
        revoked_on=date(2026, 1, 5),
    )
    await stack.deliver(revoked)
    assert (await stack.portal.get("/vinh-danh/qd-5.x")).status_code == 404  # nothing to show yet
    await stack.deliver(grant("qd-5.x", "Phạm Văn X"))
    stored = await stack.runtime.store(HONOUREES).get("qd-5.x")
    assert stored is not None
    assert stored.state["revoked"] is True
    assert "0 kết quả" in (await stack.portal.get("/vinh-danh")).text


async def test_the_roll_cache_reuses_an_answer_for_its_time_only(stack: Stack) -> None:
    repositories = Repositories.of(stack.runtime)
    await stack.deliver(grant("qd-1.a", "Nguyễn Văn A"))
    kept, fresh = RollCache(ttl_s=3600), RollCache(ttl_s=0)  # 0: off
    wanted = Search(text="nguyen")
    assert (await kept.search(repositories, wanted, offset=0, limit=20)).total == 1
    assert await kept.years(repositories) == [2025]
    await stack.deliver(grant("qd-2.b", "Nguyễn Văn B", year=2023))
    assert (await kept.search(repositories, wanted, offset=0, limit=20)).total == 1  # within its time
    assert await kept.years(repositories) == [2025]
    assert (await fresh.search(repositories, wanted, offset=0, limit=20)).total == 2
    assert await fresh.years(repositories) == [2025, 2024, 2023]
    small = RollCache(ttl_s=3600, size=1)
    await small.search(repositories, Search(text="a"), offset=0, limit=20)
    await small.search(repositories, Search(text="b"), offset=0, limit=20)
    await stack.deliver(grant("qd-3.a", "Trần A"))
    assert (await small.search(repositories, Search(text="a"), offset=0, limit=20)).total == 2  # evicted, read again


async def test_a_stale_answer_is_served_while_one_read_refreshes_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Search] = []
    read = roll_handlers.search

    async def counted(repositories: Repositories, wanted: Search, *, offset: int, limit: int) -> Found:
        reads.append(wanted)
        return await read(repositories, wanted, offset=offset, limit=limit)

    monkeypatch.setattr(roll_handlers, "search", counted)
    repositories = Repositories.of(stack.runtime)
    await stack.deliver(grant("qd-1.a", "Nguyễn Văn A"))
    cache = RollCache(ttl_s=0.001)
    wanted = Search(text="nguyen")
    first = await asyncio.gather(*(cache.search(repositories, wanted, offset=0, limit=20) for _ in range(5)))
    assert [f.total for f in first] == [1] * 5
    assert len(reads) == 1  # five first asks, one read
    await stack.deliver(grant("qd-2.b", "Nguyễn Văn B"))
    await asyncio.sleep(0.01)
    assert (await cache.search(repositories, wanted, offset=0, limit=20)).total == 1  # stale, refreshing
    for _ in range(10):
        await asyncio.sleep(0)
    assert (await cache.search(repositories, wanted, offset=0, limit=20)).total == 2
