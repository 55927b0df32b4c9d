"""Recipients from the registry's clusters and councils: cluster members, the cluster leader, council members."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from pydantic import ValidationError

from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.domain.directory import (
    Cluster,
    Council,
    cluster_recipients,
    with_cluster_formed,
    with_cluster_membership,
    with_council_constituted,
    with_council_membership,
)
from tdkt_notify.domain.routing import Directory, RecipientSource, RecipientSpec, RoutingRule, route
from tdkt_notify.handlers.recipients import find_recipient
from tdkt_notify.repositories import NotifyRepositories
from tdkt_notify.store import NotifyStores
from tdkt_shared.contract import CloudEvent, parse_data
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.registry import (
    ClusterChangeReason,
    ClusterFormed,
    ClusterMembershipChanged,
    CouncilConstituted,
    CouncilMembershipChanged,
)
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed

LEADER_ROTATED = ClusterChangeReason.LEADER_ROTATED
MEMBER_ADDED = ClusterChangeReason.MEMBER_ADDED


def formed(event: CloudEvent, current: Cluster | None = None) -> Cluster:
    data = parse_data(event)
    assert isinstance(data, ClusterFormed)
    return with_cluster_formed(current, data)


def changed(current: Cluster | None, event: CloudEvent) -> Cluster:
    data = parse_data(event)
    assert isinstance(data, ClusterMembershipChanged)
    return with_cluster_membership(current, data)


def council(*items: CloudEvent) -> Council:
    current: Council | None = None
    for event in items:
        data = parse_data(event)
        if isinstance(data, CouncilConstituted):
            current = with_council_constituted(current, data)
        else:
            assert isinstance(data, CouncilMembershipChanged)
            current = with_council_membership(current, data)
    assert current is not None
    return current


# The 2025 culture–society cluster: Sở Y tế leads until a rotation on 1/7/2025 hands the lead to Sở Giáo dục.
CLUSTER_2025 = changed(
    formed(events.cluster_formed("cum-vhxh", 2025, date(2025, 1, 15), "so-y-te", "so-giao-duc", "so-vhtt")),
    events.cluster_changed(
        "cum-vhxh", 2025, date(2025, 7, 1), LEADER_ROTATED, "so-giao-duc", "so-giao-duc", "so-y-te", "so-vhtt"
    ),
)
BLOC_2025 = formed(events.cluster_formed("khoi-kt", 2025, date(2025, 1, 15), "so-tai-chinh", "so-y-te"))
OLD_CLUSTER = formed(events.cluster_formed("cum-2024", 2024, date(2024, 1, 15), "so-noi-vu", "so-y-te"))
CLUSTERS = [CLUSTER_2025, BLOC_2025, OLD_CLUSTER]


def rule(source: RecipientSource, path: str = "organization_id", **extra: object) -> RoutingRule:
    return RoutingRule(
        id="r",
        description="kiểm thử",
        event_types=[events.REPORT_TYPE],
        recipients=[RecipientSpec.model_validate({"source": source, "path": path, **extra})],
        channels=[Channel.INBOX],
    )


def recipients_of(event: CloudEvent, r: RoutingRule, directory: Directory) -> list[str]:
    return [t.recipient_id for t in route(event, [r], directory)]


def test_cluster_members_are_those_of_the_units_clusters_of_that_year_on_that_day() -> None:
    assert cluster_recipients(CLUSTERS, "so-vhtt", date(2025, 3, 1), leaders_only=False) == [
        "so-y-te",
        "so-giao-duc",
        "so-vhtt",
    ]
    # a unit in a cluster and a bloc reaches both; the 2024 cluster no longer counts in 2025
    assert cluster_recipients(CLUSTERS, "so-y-te", date(2025, 3, 1), leaders_only=False) == [
        "so-y-te",
        "so-giao-duc",
        "so-vhtt",
        "so-tai-chinh",
    ]
    assert cluster_recipients(CLUSTERS, "so-y-te", date(2024, 6, 1), leaders_only=False) == ["so-noi-vu", "so-y-te"]
    # before the 2025 cluster was formed, the latest cluster of an earlier year still holds
    assert cluster_recipients(CLUSTERS, "so-y-te", date(2025, 1, 2), leaders_only=False) == ["so-noi-vu", "so-y-te"]
    assert cluster_recipients(CLUSTERS, "so-khac", date(2025, 3, 1), leaders_only=False) == []


def test_the_cluster_leader_follows_a_rotation() -> None:
    assert cluster_recipients(CLUSTERS, "so-vhtt", date(2025, 6, 30), leaders_only=True) == ["so-y-te"]
    assert cluster_recipients(CLUSTERS, "so-vhtt", date(2025, 7, 1), leaders_only=True) == ["so-giao-duc"]
    assert CLUSTER_2025.member_ids == ["so-giao-duc", "so-vhtt", "so-y-te"]


def test_a_member_added_later_is_only_a_member_from_that_day() -> None:
    grown = changed(
        CLUSTER_2025,
        events.cluster_changed(
            "cum-vhxh", 2025, date(2025, 9, 1), MEMBER_ADDED, "so-moi", "so-giao-duc", "so-y-te", "so-vhtt", "so-moi"
        ),
    )
    assert cluster_recipients([grown], "so-moi", date(2025, 8, 31), leaders_only=False) == []
    assert "so-moi" in cluster_recipients([grown], "so-y-te", date(2025, 9, 1), leaders_only=False)
    # a change sent again (the same effective date) replaces its period instead of adding one
    assert (
        len(
            changed(
                grown,
                events.cluster_changed(
                    "cum-vhxh", 2025, date(2025, 9, 1), MEMBER_ADDED, "so-moi", "so-giao-duc", "so-moi"
                ),
            ).periods
        )
        == 3
    )


def test_rules_route_to_cluster_members_and_leader_of_the_unit_named_in_the_event() -> None:
    report = events.report_submitted("so-vhtt", datetime(2025, 8, 1, tzinfo=UTC))
    directory = Directory(clusters=CLUSTERS)
    assert recipients_of(report, rule(RecipientSource.CLUSTER_MEMBERS), directory) == [
        "so-giao-duc",
        "so-y-te",
        "so-vhtt",
    ]
    assert recipients_of(report, rule(RecipientSource.CLUSTER_LEADER), directory) == ["so-giao-duc"]
    # the leader on the date at a `date_path` in the data
    by_due_date = rule(RecipientSource.CLUSTER_LEADER, date_path="submitted_at")
    early = events.report_submitted("so-vhtt", datetime(2025, 3, 1, tzinfo=UTC))
    assert recipients_of(early, by_due_date, directory) == ["so-y-te"]


COUNCIL = council(
    events.council_constituted(
        "hd-tinh",
        "ubnd-tinh",
        date(2021, 1, 1),
        events.council_member("chu-tich", date(2021, 1, 1)),
        events.council_member("uy-vien-a", date(2021, 1, 1), date(2024, 12, 31)),
    ),
    events.council_changed(
        "hd-tinh",
        "uy-vien-b",
        events.council_member("chu-tich", date(2021, 1, 1)),
        events.council_member("uy-vien-a", date(2021, 1, 1), date(2024, 12, 31)),
        events.council_member("uy-vien-b", date(2025, 1, 1)),
    ),
)


def test_council_members_are_the_persons_sitting_on_the_day() -> None:
    assert COUNCIL.organization_id == "ubnd-tinh"
    assert COUNCIL.members_on(date(2024, 12, 31)) == ["chu-tich", "uy-vien-a"]
    assert COUNCIL.members_on(date(2025, 1, 1)) == ["chu-tich", "uy-vien-b"]
    assert COUNCIL.members_on(date(2020, 12, 31)) == []  # before the term


def test_rules_name_councils_by_id_or_by_their_owner() -> None:
    nomination = events.nomination_approved("ubnd-tinh", "bv-tinh", datetime(2025, 3, 1, tzinfo=UTC))
    directory = Directory(councils=[COUNCIL])
    by_owner = rule(RecipientSource.COUNCIL_MEMBERS, "submitting_organization_id")
    by_owner = by_owner.model_copy(update={"event_types": [events.NOMINATION_TYPE]})
    assert recipients_of(nomination, by_owner, directory) == ["chu-tich", "uy-vien-b"]
    by_id = RoutingRule(
        id="by-id",
        description="kiểm thử",
        event_types=[events.NOMINATION_TYPE],
        recipients=[RecipientSpec(source=RecipientSource.COUNCIL_MEMBERS, ids=["hd-tinh"])],
        channels=[Channel.INBOX],
    )
    assert recipients_of(nomination, by_id, directory) == ["chu-tich", "uy-vien-b"]
    assert recipients_of(nomination, by_id, Directory()) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"source": "CLUSTER_MEMBERS"}, "CLUSTER_MEMBERS needs a path"),
        ({"source": "CLUSTER_LEADER"}, "CLUSTER_LEADER needs a path"),
        ({"source": "COUNCIL_MEMBERS"}, "needs a path or ids"),
    ],
)
def test_an_incomplete_cluster_or_council_spec_is_refused(spec: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RecipientSpec.model_validate(spec)


async def deliveries_for(stores: NotifyStores, event_id: str) -> set[tuple[str, str, str | None]]:
    found = await stores.deliveries.find({"event_id": event_id}, limit=100)
    return {(d.recipient_id, d.channel.value, d.address) for d in (Delivery.model_validate(s.state) for s in found)}


async def test_registry_events_build_the_read_models_and_the_default_rules_use_them(
    feed: Feed, stores: NotifyStores
) -> None:
    await feed(
        events.cluster_formed("cum-vhxh", 2025, date(2025, 1, 15), "so-y-te", "so-giao-duc"),
        events.cluster_changed(
            "cum-vhxh", 2025, date(2025, 7, 1), LEADER_ROTATED, "so-giao-duc", "so-giao-duc", "so-y-te"
        ),
        events.contact("so-y-te", email="vanthu@soyte.example"),
        events.contact("so-giao-duc", email="vanthu@sogd.example"),
        events.person("chu-tich", "Trần Văn Chủ"),
        events.person_contact("chu-tich", "chutich@tinh.example"),
    )
    report = events.report_submitted("so-y-te", events.at(2025, 8, 1))
    await feed(report)
    got = await deliveries_for(stores, report.id)
    # the submitting unit (report-submitted) and, since the rotation, the leader Sở Giáo dục
    assert ("so-giao-duc", "EMAIL", "vanthu@sogd.example") in got
    assert ("so-giao-duc", "INBOX", None) in got
    assert {r for r, _, _ in got} == {"so-y-te", "so-giao-duc"}

    constituted = events.council_constituted(
        "hd-tinh", "ubnd-tinh", date(2021, 1, 1), events.council_member("chu-tich", date(2021, 1, 1))
    )
    await feed(constituted)
    assert await deliveries_for(stores, constituted.id) == {
        ("chu-tich", "INBOX", None),
        ("chu-tich", "EMAIL", "chutich@tinh.example"),
    }
    recipient = await find_recipient(NotifyRepositories.of(stores).recipients, "chu-tich")
    assert recipient is not None
    assert (recipient.kind.value, recipient.name) == ("PERSON", "Trần Văn Chủ")


async def test_the_api_shows_cluster_and_council_members_on_a_date(feed: Feed, client: httpx.AsyncClient) -> None:
    await feed(
        events.cluster_formed("cum-vhxh", 2025, date(2025, 1, 15), "so-y-te", "so-giao-duc"),
        events.cluster_changed(
            "cum-vhxh", 2025, date(2025, 7, 1), LEADER_ROTATED, "so-giao-duc", "so-giao-duc", "so-y-te"
        ),
        events.council_constituted(
            "hd-tinh", "ubnd-tinh", date(2021, 1, 1), events.council_member("chu-tich", date(2021, 1, 1))
        ),
    )
    before = (await client.get("/clusters/cum-vhxh/members", params={"on": "2025-06-30"})).json()
    assert (before["organization_ids"], before["leader_ids"]) == (["so-y-te", "so-giao-duc"], ["so-y-te"])
    after = (await client.get("/clusters/cum-vhxh/members", params={"on": "2025-07-01"})).json()
    assert after["leader_ids"] == ["so-giao-duc"]
    council_page = (await client.get("/councils/hd-tinh/members", params={"on": "2025-01-01"})).json()
    assert council_page["person_ids"] == ["chu-tich"]
    assert (await client.get("/clusters/nope/members", params={"on": "2025-01-01"})).status_code == 404
    assert (await client.get("/councils/nope/members", params={"on": "2025-01-01"})).status_code == 404
    bad = await client.get("/clusters/cum-vhxh/members", params={"on": "hôm nay"})
    assert bad.status_code == 422
