from __future__ import annotations

from tdkt_reporting.seed import seed
from tdkt_reporting.store import CONGRESSES, MOVEMENTS
from tdkt_shared.runtime import InMemoryRuntime

TITLES = {
    "Chung tay xóa nhà tạm, nhà dột nát trong năm 2025",
    "Bắc Kạn chung sức xây dựng nông thôn mới",
    "Bắc Kạn đẩy mạnh chương trình chuyển đổi số",
    "Bắc Kạn chung tay vì người nghèo - Không để ai bị bỏ lại phía sau",
    "Đẩy mạnh phát triển kết cấu hạ tầng đồng bộ, hiện đại; thực hành tiết kiệm, chống lãng phí",
    "Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở",
    "Cả nước thi đua xây dựng xã hội học tập, đẩy mạnh học tập suốt đời",
}


async def test_seed_loads_the_scenario_once(runtime: InMemoryRuntime) -> None:
    first = await seed(runtime)
    assert len(first) == 9
    movements = {s.id: s for s in await runtime.store(MOVEMENTS).find({}, limit=100)}
    assert {s.state["title"] for s in movements.values()} >= TITLES
    drive = movements["dot-thi-dua-dac-biet-645"]
    assert (drive.state["status"], drive.state["decision"]) == (
        "LAUNCHED",
        {"number": "645/KH-UBND", "date": "2024-09-25"},
    )
    [congress] = await runtime.store(CONGRESSES).find({})
    assert congress.state["title"] == "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI"
    assert [e.type for e in runtime.store(CONGRESSES).events] == ["tdkt.reporting.congress.scheduled.v1"]
    written = len(runtime.store(MOVEMENTS).events)
    assert written == 9  # eight drafted, one launched

    assert await seed(runtime) == []
    assert len(runtime.store(MOVEMENTS).events) == written
    assert len(runtime.store(CONGRESSES).events) == 1
