"""The honour roll's read model on the real store (FerretDB): the queries the pages make (a word among the name's
words, equality filters, newest year first, counts) and once-only application, which unit tests only show in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from tdkt_portal.handlers import honourees
from tdkt_portal.service import DEFINITION
from tdkt_portal.store import Repositories
from tdkt_shared.contract import EventData, make_event
from tdkt_shared.contract.awards import AwardRevoked, RevocationReason
from tdkt_shared.contract.notify import Channel, PublicationRequested
from tdkt_shared.runtime import Runtime
from tests.integration.conftest import SettingsFactory
from tests.unit.portal.grants import grant

pytestmark = pytest.mark.usefixtures("drop_databases")


@pytest.fixture
async def runtime(make_settings: SettingsFactory) -> AsyncIterator[Runtime]:
    runtime = Runtime(DEFINITION, make_settings("portal"))
    try:
        yield runtime
    finally:
        await runtime.client.close()


async def test_the_roll_is_searched_and_applied_once_on_the_real_store(runtime: Runtime) -> None:
    handlers = DEFINITION.handlers(runtime)

    async def deliver(data: EventData) -> bool:
        return bool(await handlers[data.event_type](make_event(data, partitionkey="k"), data))

    people = [
        grant("g-1", "Nguyễn Thị Hà", "CSTD_TINH", 2024, "so-y-te"),
        grant("g-2", "Trần Văn Hải", "LDTT", 2025, "so-tai-chinh"),
        grant("g-3", "Lê Thu Hà", "LDTT", 2025, "so-y-te"),
        grant("g-4", "Nguyễn Văn Hà", "CSTD_CO_SO", 2023, "so-y-te"),
    ]
    events = [make_event(p, partitionkey=p.recipient_id) for p in people]
    for event, data in zip(events, people, strict=True):
        assert await handlers[data.event_type](event, data) is True
    assert await handlers[people[0].event_type](events[0], people[0]) is False  # a redelivery changes nothing
    await deliver(
        PublicationRequested(
            source_event_id=events[1].id,
            source_event_type=people[1].event_type,
            organization_id="bao-bac-kan",
            on=date(2025, 12, 21),
            rule_id="publicity",
            channels=[Channel.INBOX],
        )
    )
    await deliver(
        AwardRevoked(
            grant_id="g-4",
            recipient_id="p-g-4",
            award_code="CSTD_CO_SO",
            reason=RevocationReason.LATER_FINDING,
            decision_number="9/QĐ-UBND",
            revoked_on=date(2026, 1, 2),
        )
    )

    repositories = Repositories.of(runtime)

    async def names(**wanted: object) -> tuple[list[str], int]:
        found = await honourees.search(repositories, honourees.Search(**wanted), offset=0, limit=20)  # type: ignore[arg-type]
        return [h.recipient_name for h in found.items], found.total

    assert await names() == (["Trần Văn Hải", "Lê Thu Hà", "Nguyễn Thị Hà"], 3)  # newest year first; revoked left out
    assert (await names(text="ha"))[1] == 2
    assert await names(text="nguyen ha") == (["Nguyễn Thị Hà"], 1)
    assert await names(year=2025, organization_id="so-y-te") == (["Lê Thu Hà"], 1)
    assert await names(award_code="LDTT") == (["Trần Văn Hải", "Lê Thu Hà"], 2)
    assert await honourees.years(repositories) == [2025, 2024]
    [request] = await honourees.requests_to(repositories, "bao-bac-kan")
    assert request.honouree is not None
    assert (request.honouree.recipient_name, request.on) == ("Trần Văn Hải", date(2025, 12, 21))
    entry = await honourees.entry(repositories, "g-4")
    assert entry is not None
    assert (entry[0].revoked, entry[0].revocation_decision) == (True, "9/QĐ-UBND")
