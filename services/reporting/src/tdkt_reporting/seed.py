"""Seed data of the Bắc Kạn scenario, and the idempotent command that loads it.

`python -m tdkt_reporting.seed` writes through the same handlers as the API, so each seeded aggregate emits its
events (the running service's relay publishes them). Running it again changes nothing.

Titles are the exact Vietnamese names of the movements. Periods, levels and launching bodies not given by the
source are working assumptions to confirm; only Plan 645/KH-UBND of 25/9/2024 carries a known decision.
"""

from __future__ import annotations

import asyncio
from datetime import date

from tdkt_reporting import store
from tdkt_reporting.domain.congresses import ScheduleCongress
from tdkt_reporting.domain.movements import Decision, DraftMovement, Period, Scope
from tdkt_reporting.handlers import congresses, movements
from tdkt_reporting.service import DEFINITION
from tdkt_reporting.store import CONGRESSES, MOVEMENTS
from tdkt_shared.auth import Role
from tdkt_shared.contract.reporting import HonourEventKind, MovementKind, MovementStatus
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import Runtime, Stores
from tdkt_shared.seeding import Seed, SeedApi, SeedReport
from tdkt_shared.settings import load_settings
from tdkt_shared.store import AlreadyExists, MongoAggregateStore

PROVINCE = "ubnd-tinh-bac-kan"
GOVERNMENT = "thu-tuong-chinh-phu"
TERM = Period(start=date(2021, 1, 1), end=date(2025, 12, 31))


def _movement(
    movement_id: str,
    title: str,
    *,
    kind: MovementKind = MovementKind.TOPIC,
    national: bool = False,
    period: Period = TERM,
) -> DraftMovement:
    return DraftMovement(
        id=movement_id,
        title=title,
        kind=kind,
        level="national" if national else "province",
        launching_organization_id=GOVERNMENT if national else PROVINCE,
        scope=Scope(organization_ids=[] if national else [PROVINCE]),
        period=period,
    )


MOVEMENTS_SEED: tuple[DraftMovement, ...] = (
    _movement(
        "xoa-nha-tam-2025",
        "Chung tay xóa nhà tạm, nhà dột nát trong năm 2025",
        period=Period(start=date(2025, 1, 1), end=date(2025, 12, 31)),
    ),
    _movement("nong-thon-moi", "Bắc Kạn chung sức xây dựng nông thôn mới"),
    _movement("chuyen-doi-so", "Bắc Kạn đẩy mạnh chương trình chuyển đổi số"),
    _movement("vi-nguoi-ngheo", "Bắc Kạn chung tay vì người nghèo - Không để ai bị bỏ lại phía sau"),
    _movement(
        "ket-cau-ha-tang-tiet-kiem",
        "Đẩy mạnh phát triển kết cấu hạ tầng đồng bộ, hiện đại; thực hành tiết kiệm, chống lãng phí",
    ),
    _movement(
        "van-hoa-cong-so",
        "Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở",
        kind=MovementKind.REGULAR,
        national=True,
    ),
    _movement("xa-hoi-hoc-tap", "Cả nước thi đua xây dựng xã hội học tập, đẩy mạnh học tập suốt đời", national=True),
)

SPECIAL_DRIVE = DraftMovement(
    id="dot-thi-dua-dac-biet-645",
    title="Đợt thi đua đặc biệt theo Kế hoạch số 645/KH-UBND",
    kind=MovementKind.TOPIC,
    level="province",
    launching_organization_id=PROVINCE,
    decision=Decision(number="645/KH-UBND", date=date(2024, 9, 25)),
    scope=Scope(organization_ids=[PROVINCE]),
    period=Period(start=date(2024, 9, 25), end=date(2025, 12, 31)),
)
"""The special emulation drive of Plan 645/KH-UBND of 25/9/2024, launched on the plan's date."""

CONGRESS_SEED = ScheduleCongress(
    id="dai-hoi-tdyn-bac-kan-vi",
    kind=HonourEventKind.PATRIOTIC_EMULATION_CONGRESS,
    title="Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI",
    level="province",
    organizer_id=PROVINCE,
    held_on=date(2025, 6, 20),
)
"""The date is a working assumption, to be rescheduled once the official one is known."""


async def seed(stores: Stores) -> list[str]:
    """Create what is missing and launch what has its decision; the ids changed (empty on a rerun)."""
    ctx = CommandContext.system(correlation_id="seed")
    changed: list[str] = []
    for command in (*MOVEMENTS_SEED, SPECIAL_DRIVE):
        try:
            movement = await movements.draft_movement(stores, command, ctx, known_launcher=False)
        except AlreadyExists:
            movement = await store.movements(stores).load(command.id)
        else:
            changed.append(movement.id)
        if movement.aggregate.decision is not None and movement.aggregate.status == MovementStatus.DRAFT:
            # a rerun finishes a launch an interrupted run left undone
            await movements.launch(stores, movement.id, movement.version, None, None, ctx, by=PROVINCE)
            if movement.id not in changed:
                changed.append(movement.id)
    try:
        congress = await congresses.schedule(stores, CONGRESS_SEED, ctx)
        changed.append(congress.id)
    except AlreadyExists:
        pass
    return changed


async def _run() -> None:
    runtime = Runtime(DEFINITION, load_settings("reporting"))
    try:
        for name in (MOVEMENTS, CONGRESSES):
            store = runtime.store(name)
            if isinstance(store, MongoAggregateStore):
                await store.create_indexes()
        changed = await seed(runtime)
        print(f"seeded {len(changed)}: {', '.join(changed) or 'nothing new'}")
    finally:
        await runtime.client.close()


def main() -> None:
    asyncio.run(_run())


async def load_over_api(api: SeedApi) -> SeedReport:
    """The same seed through reporting's public API as the TĐKT specialist, for `tdkt seed`: it waits until the
    launching organisations reached reporting's directory from the registry (its seed runs first), then drafts
    what is missing and launches what has its decision."""
    for launcher in (PROVINCE, GOVERNMENT):
        await api.wait_for(f"/organizations/{launcher}", f"{launcher} in reporting's directory (from the registry)")
    for command in (*MOVEMENTS_SEED, SPECIAL_DRIVE):
        body = command.model_dump(mode="json", exclude_none=True)
        await api.ensure("movements", f"/movements/{command.id}", "POST", "/movements", body)
        movement = await api.get(f"/movements/{command.id}") or {}
        if command.decision is not None and movement.get("status") == MovementStatus.DRAFT:
            await api.send("POST", f"/movements/{command.id}/launch", {"version": movement["version"]})
            api.report.count("launches", True)
    congress = CONGRESS_SEED.model_dump(mode="json", exclude_none=True)
    await api.ensure("congresses", f"/congresses/{CONGRESS_SEED.id}", "POST", "/congresses", congress)
    return api.report


SEED = Seed(
    service="reporting",
    role=Role.TDKT_SPECIALIST,
    items=len(MOVEMENTS_SEED) + 2,
    load=load_over_api,
    after=("registry",),
    description="the letter's movements, the Plan 645/KH-UBND drive (launched) and the 6th emulation congress",
)


if __name__ == "__main__":
    main()
