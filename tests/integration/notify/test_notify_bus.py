"""Notifications over the real bus: Kafka in, a real SMTP server, a real HTTP endpoint, FerretDB, Kafka out."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tdkt_notify.consumers import TOPICS
from tdkt_notify.service import DEFINITION, NotifyRuntime
from tdkt_notify.settings import load_notify_settings
from tdkt_notify.signing import standard_secret
from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import CloudEvent, dlq_topic, make_event, service_topic
from tdkt_shared.contract.awards import GrantReviewRequested, RevocationReason
from tdkt_shared.contract.registry import ClusterChangeReason, FunctionalRole, RoleAssigned
from tdkt_shared.settings import Settings
from tests.helpers import serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, wait_for_records
from tests.unit.notify import events
from tests.unit.notify.local_servers import HttpEndpoint, SmtpServer, http_endpoint, smtp_server

pytestmark = pytest.mark.usefixtures("drop_databases")
NOTIFY_TOPIC = service_topic("notify")
PRESS = FunctionalRole.PRESS_COMMUNICATION
TDKT = FunctionalRole.TDKT_STATE_MANAGEMENT
DECIDING = FunctionalRole.DECIDING_AUTHORITY
SECRET = "bi-mat-kiem-thu-0123456789abcdef"


@dataclass
class Env:
    settings: Settings
    smtp: SmtpServer
    endpoint: HttpEndpoint
    producer: AIOKafkaProducer
    run_id: str

    def org(self, name: str) -> str:
        return f"{name}-{self.run_id}"

    def mail(self, name: str) -> str:
        return f"{self.org(name)}@tdkt.example"

    async def send(self, *items: CloudEvent) -> None:
        for event in items:
            record = encode(event)
            await self.producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)

    async def settled(self, client: httpx.AsyncClient, event_id: str, count: int) -> list[dict[str, Any]] | None:
        """The event's deliveries to this test's recipients once there are `count` and none waits to be sent.

        (Other tests share the topics: a role they assign may add recipients of theirs, which are left out.)
        """
        page = (await client.get("/deliveries", params={"event_id": event_id, "limit": 500})).json()
        items = [d for d in page["items"] if str(d["recipient_id"]).endswith(self.run_id)]
        done = len(items) == count and all(d["status"] in ("DELIVERED", "FAILED") for d in items)
        return items if done else None

    @contextlib.asynccontextmanager
    async def notify(self, settings: Settings | None = None, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        values: dict[str, object] = {
            "smtp_port": self.smtp.port,
            "delivery_max_attempts": 3,
            "delivery_backoff_initial_s": 0.05,
            "delivery_backoff_max_s": 0.2,
            "delivery_backoff_jitter_s": 0.05,
            "delivery_poll_interval_ms": 50,
            "delivery_attempt_timeout_s": 5,
        }
        values.update(overrides)
        runtime = NotifyRuntime(DEFINITION, settings or self.settings, load_notify_settings(**values))
        async with serve(DEFINITION, runtime) as client:
            yield client


@pytest.fixture
async def env(make_settings: SettingsFactory, run_id: str) -> AsyncIterator[Env]:
    settings = make_settings("notify", bus_consumer="aiokafka")
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, list(TOPICS))
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        with smtp_server() as smtp:
            async with http_endpoint() as endpoint:
                yield Env(settings, smtp, endpoint, producer, run_id)
    finally:
        await producer.stop()


async def directory(env: Env, client: httpx.AsyncClient, *names: str) -> None:
    """Organisations with an e-mail and a webhook each; wait until notify knows them and set their secrets."""
    for name in names:
        org = env.org(name)
        await env.send(
            events.organization(org, f"Đơn vị {name}"),
            events.contact(org, email=env.mail(name), webhook_url=env.endpoint.url(f"/{org}")),
        )
    for name in names:

        async def known(org: str = env.org(name)) -> bool:
            response = await client.get(f"/recipients/{org}")
            return response.status_code == 200 and response.json()["webhook_url"] is not None

        await eventually(known, what=f"{name} in notify's directory")
        put = await client.put(f"/recipients/{env.org(name)}/webhook-secret", json={"secret": SECRET})
        assert put.status_code == 204


async def holds(client: httpx.AsyncClient, role: FunctionalRole, on: str, org: str) -> bool:
    response = await client.get(f"/roles/{role.value}/holders", params={"on": on})
    return org in response.json()["organization_ids"]


def signed_ok(request_body: bytes, headers: dict[str, str]) -> bool:
    """The subscriber's check, with the Standard Webhooks reference library."""
    try:
        Webhook(standard_secret(SECRET)).verify(request_body, headers)
    except WebhookVerificationError:
        return False
    return True


async def test_the_three_design_events_reach_their_recipients_on_every_channel(env: Env) -> None:
    async with env.notify() as client:
        await directory(env, client, "so-y-te", "so-noi-vu", "bv-tinh", "ubnd-tinh", "bao")
        await env.send(
            events.role(env.org("a1"), TDKT, env.org("so-noi-vu"), date(2020, 1, 1)),
            events.role(env.org("p1"), PRESS, env.org("bao"), date(2020, 1, 1)),
        )
        await eventually(lambda: holds(client, PRESS, "2025-08-01", env.org("bao")), what="the press role")
        await eventually(lambda: holds(client, TDKT, "2025-08-01", env.org("so-noi-vu")), what="the TĐKT role")

        report = events.report_submitted(env.org("so-y-te"), events.at(2025, 12, 1), report_id=env.org("bc"))
        nomination = events.nomination_approved(
            env.org("so-y-te"), env.org("bv-tinh"), events.at(2025, 8, 1), nomination_id=env.org("hs")
        )
        congress = events.congress_scheduled(
            env.org("ubnd-tinh"), [env.org("so-y-te")], events.at(2025, 8, 2), congress_id=env.org("dh")
        )
        await env.send(report, nomination, congress)

        expected = {
            report.id: {"so-y-te", "so-noi-vu"},
            nomination.id: {"so-y-te", "bv-tinh", "so-noi-vu", "bao"},
            congress.id: {"ubnd-tinh", "so-y-te", "bao"},
        }
        for event_id, names in expected.items():
            found = await eventually(partial(env.settled, client, event_id, 3 * len(names)), what="deliveries")
            got = {(str(d["recipient_id"]), str(d["channel"]), str(d["status"])) for d in found}
            assert got == {(env.org(n), c, "DELIVERED") for n in names for c in ("INBOX", "EMAIL", "WEBHOOK")}

        # the outcomes are events on the notify topic (read while the relay still runs to publish them)
        outcomes = await wait_for_records(
            env.settings.kafka_bootstrap_servers,
            NOTIFY_TOPIC,
            lambda r: r.key is not None and r.key.decode() == env.org("so-y-te"),
            count=9,
        )
        press_records = await wait_for_records(
            env.settings.kafka_bootstrap_servers,
            NOTIFY_TOPIC,
            lambda r: r.key is not None and r.key.decode() == env.org("bao"),
            count=8,
        )

    # e-mail: one per (event, recipient), Vietnamese intact in subject and body
    to_health = env.smtp.to(env.mail("so-y-te"))
    assert sorted(m["Subject"] for m in to_health) == sorted(
        [
            "Báo cáo kỳ 2025 đã được nộp",
            f"Hồ sơ đề nghị khen thưởng {env.org('hs')} đã được Hội đồng thông qua",
            f"Thông báo tổ chức {events.CONGRESS_TITLE} ngày 20/09/2025",
        ]
    )
    nomination_mail = next(m for m in env.smtp.to(env.mail("bv-tinh")))
    assert f"- {events.NOMINEE}" in nomination_mail.get_content()
    assert nomination_mail.get_content().startswith("Kính gửi Đơn vị bv-tinh,")
    press = env.smtp.to(env.mail("bao"))
    assert sorted(m["Subject"] for m in press) == ["Đề nghị đăng tải thông tin thi đua, khen thưởng"] * 2
    assert any(events.CONGRESS_TITLE in m.get_content() for m in press)

    # webhooks: the CloudEvent itself, signed
    hooks = env.endpoint.to(f"/{env.org('so-y-te')}")
    assert sorted(CloudEvent.model_validate(json.loads(r.body)).id for r in hooks) == sorted(
        [report.id, nomination.id, congress.id]
    )
    assert all(signed_ok(r.body, r.headers) for r in hooks)
    assert {r.headers["x-tdkt-purpose"] for r in env.endpoint.to(f"/{env.org('bao')}")} == {"PUBLICATION_REQUEST"}

    kinds = {json.loads(r.value)["type"] for r in outcomes if r.value is not None}
    assert kinds == {"tdkt.notify.notification.delivered.v1"}
    assert len(outcomes) == 9
    # the press body: 2 requests × 3 channels delivered, and each request announced once
    press_types = sorted(json.loads(r.value)["type"] for r in press_records if r.value is not None)
    assert press_types == ["tdkt.notify.notification.delivered.v1"] * 6 + ["tdkt.notify.publication.requested.v1"] * 2
    press_events = [json.loads(r.value) for r in press_records if r.value is not None]
    requested = [e["data"] for e in press_events if e["type"] == "tdkt.notify.publication.requested.v1"]
    assert sorted(d["source_event_id"] for d in requested) == sorted([nomination.id, congress.id])


async def test_inbox_read_and_unread_over_the_bus(env: Env) -> None:
    async with env.notify() as client:
        await directory(env, client, "so-y-te")
        await env.send(events.report_submitted(env.org("so-y-te"), events.at(2025, 12, 1), report_id=env.org("bc")))
        inbox = f"/inbox/{env.org('so-y-te')}"

        async def unread() -> int:
            return int((await client.get(f"{inbox}/unread-count")).json()["unread"])

        await eventually(unread, what="an unread message")
        [message] = (await client.get(inbox)).json()["items"]
        assert message["subject"] == "Báo cáo kỳ 2025 đã được nộp"
        assert message["read"] is False
        assert (await client.post(f"{inbox}/{message['id']}/read")).json()["read"] is True
        assert await unread() == 0


async def test_a_failing_endpoint_is_retried_then_the_delivery_fails_and_says_so(env: Env) -> None:
    async with env.notify() as client:
        await directory(env, client, "so-y-te")
        env.endpoint.statuses[f"/{env.org('so-y-te')}"] = 503
        report = events.report_submitted(env.org("so-y-te"), events.at(2025, 12, 1), report_id=env.org("bc"))
        await env.send(report)
        found = await eventually(lambda: env.settled(client, report.id, 3), what="settled deliveries")
        hook = next(d for d in found if d["channel"] == "WEBHOOK")
        assert hook["status"] == "FAILED"
        assert [a["error"] for a in hook["attempts"]] == ["SendError: HTTP 503"] * 3
        assert {d["status"] for d in found if d["channel"] != "WEBHOOK"} == {"DELIVERED"}
        # the dead letter follows the FAILED record (read while notify still runs)
        [dead] = await wait_for_records(
            env.settings.kafka_bootstrap_servers,
            dlq_topic(service_topic("reporting")),
            lambda r: dict(r.headers).get("notify-delivery-id") == hook["id"].encode(),
        )
    requests = env.endpoint.to(f"/{env.org('so-y-te')}")
    assert len(requests) == 3
    assert {r.headers["webhook-id"] for r in requests} == {hook["id"]}
    failed = await wait_for_records(
        env.settings.kafka_bootstrap_servers,
        NOTIFY_TOPIC,
        lambda r: r.value is not None and b"notification.failed" in r.value and report.id.encode() in r.value,
    )
    [record] = failed
    assert record.value is not None
    data = json.loads(record.value)["data"]
    assert (data["channel"], data["attempts"], data["error"]) == ("WEBHOOK", 3, "SendError: HTTP 503")
    assert json.loads(dead.value or b"{}")["id"] == report.id
    assert (dict(dead.headers)["dlq-reason"], dict(dead.headers)["dlq-attempts"]) == (b"delivery-failed", b"3")


async def test_no_second_email_or_webhook_after_a_redelivery_or_a_replay_on_restart(
    env: Env, make_settings: SettingsFactory
) -> None:
    replay = make_settings("notify", bus_consumer="aiokafka", consumer_group=f"it-notify-replay-{env.run_id}")
    await commit_group_at_end(replay.kafka_bootstrap_servers, replay.group_id, list(TOPICS))
    report = events.report_submitted(env.org("so-y-te"), events.at(2025, 12, 1), report_id=env.org("bc"))
    async with env.notify() as client:
        await directory(env, client, "so-y-te")
        await env.send(report, report)  # the bus delivers it twice
        await eventually(lambda: env.settled(client, report.id, 3), what="settled deliveries")
    # a restart that replays every record of the test (another group starting before them, same database)
    marker = events.report_submitted(env.org("so-y-te"), events.at(2025, 12, 2), report_id=env.org("marker"))
    await env.send(marker)
    async with env.notify(replay) as client:
        await eventually(lambda: env.settled(client, marker.id, 3), what="the marker after the replay")
    mails = env.smtp.to(env.mail("so-y-te"))
    assert sorted(m["X-TDKT-Event-Id"] for m in mails) == sorted([report.id, marker.id])
    hooks = env.endpoint.to(f"/{env.org('so-y-te')}")
    assert sorted(CloudEvent.model_validate(json.loads(r.body)).id for r in hooks) == sorted([report.id, marker.id])


async def test_the_press_body_on_the_event_date_changes_after_a_role_reassignment(env: Env) -> None:
    async with env.notify() as client:
        await directory(env, client, "bao-cu", "bao-moi", "ubnd-tinh")
        await env.send(events.role(env.org("p1"), PRESS, env.org("bao-cu"), date(2020, 1, 1)))
        await eventually(lambda: holds(client, PRESS, "2025-05-01", env.org("bao-cu")), what="the first press body")
        before = events.congress_scheduled(env.org("ubnd-tinh"), [], events.at(2025, 5, 1), congress_id=env.org("dh1"))
        await env.send(before)
        await eventually(lambda: env.settled(client, before.id, 6), what="the first congress's deliveries")

        # the registry ends the old assignment and gives the role to another body from 1 July 2025
        await env.send(
            events.role(env.org("p1"), PRESS, env.org("bao-cu"), date(2020, 1, 1), date(2025, 6, 30)),
            events.role(env.org("p2"), PRESS, env.org("bao-moi"), date(2025, 7, 1)),
        )
        await eventually(lambda: holds(client, PRESS, "2025-07-01", env.org("bao-moi")), what="the new press body")
        assert not await holds(client, PRESS, "2025-07-01", env.org("bao-cu"))
        assert await holds(client, PRESS, "2025-06-30", env.org("bao-cu"))
        after = events.congress_scheduled(env.org("ubnd-tinh"), [], events.at(2025, 8, 1), congress_id=env.org("dh2"))
        await env.send(after)
        await eventually(lambda: env.settled(client, after.id, 6), what="the second congress's deliveries")

        async def press_of(event_id: str) -> set[str]:
            items = (await client.get("/deliveries", params={"event_id": event_id, "channel": "INBOX"})).json()
            return {d["recipient_id"] for d in items["items"] if d["purpose"] == "PUBLICATION_REQUEST"}

        mine = {env.org("bao-cu"), env.org("bao-moi")}
        assert await press_of(before.id) & mine == {env.org("bao-cu")}
        assert await press_of(after.id) & mine == {env.org("bao-moi")}


async def test_a_stuck_endpoint_stalls_nothing_else_and_a_killed_worker_resumes_it(env: Env) -> None:
    slow, fast = env.org("cham"), env.org("nhanh")
    env.endpoint.holds[f"/{slow}"] = asyncio.Event()
    to_slow = events.report_submitted(slow, events.at(2025, 12, 1), report_id=env.org("bc-cham"))
    to_fast = events.report_submitted(fast, events.at(2025, 12, 1), report_id=env.org("bc-nhanh"))
    async with env.notify(delivery_lease_s=1) as client:
        await directory(env, client, "cham", "nhanh")
        await env.send(to_slow, to_fast)
        await eventually(lambda: env.settled(client, to_fast.id, 3), what="the fast endpoint's deliveries")

        async def slow_send_started() -> bool:
            return len(env.endpoint.to(f"/{slow}")) == 1

        await eventually(slow_send_started, what="the stuck send")
        hook = (await client.get("/deliveries", params={"event_id": to_slow.id, "channel": "WEBHOOK"})).json()
        assert [d["status"] for d in hook["items"]] == ["SENDING"]
    # the worker was stopped in the middle of that send; another one takes over once the lease lapses
    env.endpoint.holds.pop(f"/{slow}").set()
    async with env.notify(delivery_lease_s=1) as client:
        found = await eventually(lambda: env.settled(client, to_slow.id, 3), what="the resumed delivery")
        assert {d["status"] for d in found} == {"DELIVERED"}
    assert len(env.smtp.to(env.mail("cham"))) == 1
    assert len(env.smtp.to(env.mail("nhanh"))) == 1
    requests = env.endpoint.to(f"/{slow}")
    # the interrupted send is repeated under the same delivery id, so the receiver can drop it
    assert len(requests) == 2
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert all(signed_ok(r.body, r.headers) for r in requests)


async def test_cluster_members_and_the_leader_of_the_day_are_reached_over_the_bus(env: Env) -> None:
    async with env.notify() as client:
        await directory(env, client, "so-y-te", "so-gd", "so-vh")
        cluster = env.org("cum")
        await env.send(
            events.cluster_formed(
                cluster, 2025, date(2025, 1, 15), env.org("so-y-te"), env.org("so-gd"), env.org("so-vh")
            ),
            events.cluster_changed(
                cluster,
                2025,
                date(2025, 7, 1),
                ClusterChangeReason.LEADER_ROTATED,
                env.org("so-gd"),
                env.org("so-gd"),
                env.org("so-y-te"),
                env.org("so-vh"),
            ),
        )

        async def rotated() -> bool:
            response = await client.get(f"/clusters/{cluster}/members", params={"on": "2025-07-01"})
            return response.status_code == 200 and response.json()["leader_ids"] == [env.org("so-gd")]

        await eventually(rotated, what="the cluster in notify's read model")
        members_rule = {
            "id": env.org("cluster-members"),
            "description": "Đại hội của đơn vị: các thành viên cụm thi đua",
            "event_types": [events.CONGRESS_TYPE],
            "recipients": [{"source": "CLUSTER_MEMBERS", "path": "organizer_id"}],
            "channels": ["INBOX"],
        }
        assert (await client.post("/rules", json=members_rule)).status_code == 201

        # the leader of the day of the report: Sở Y tế before the rotation, Sở Giáo dục after it
        june = events.report_submitted(env.org("so-vh"), events.at(2025, 6, 1), report_id=env.org("bc-6"))
        august = events.report_submitted(env.org("so-vh"), events.at(2025, 8, 1), report_id=env.org("bc-8"))
        congress = events.congress_scheduled(env.org("so-y-te"), [], events.at(2025, 8, 2), congress_id=env.org("dh"))
        await env.send(june, august, congress)

        all_channels = ("INBOX", "EMAIL", "WEBHOOK")
        expected = {
            june.id: {("so-vh", c) for c in all_channels} | {("so-y-te", "INBOX"), ("so-y-te", "EMAIL")},
            august.id: {("so-vh", c) for c in all_channels} | {("so-gd", "INBOX"), ("so-gd", "EMAIL")},
            congress.id: {("so-y-te", c) for c in all_channels} | {("so-gd", "INBOX"), ("so-vh", "INBOX")},
        }
        for event_id, pairs in expected.items():
            found = await eventually(partial(env.settled, client, event_id, len(pairs)), what="deliveries")
            got = {(str(d["recipient_id"]), str(d["channel"]), str(d["status"])) for d in found}
            assert got == {(env.org(n), c, "DELIVERED") for n, c in pairs}

    leader_mail = env.smtp.to(env.mail("so-gd"))
    assert [m["Subject"] for m in leader_mail] == ["Báo cáo kỳ 2025 đã được nộp"]


async def test_council_members_are_reached_at_their_person_contact_points_over_the_bus(env: Env) -> None:
    async with env.notify() as client:
        chair, member = env.org("chu-tich"), env.org("uy-vien")
        await env.send(
            events.person(chair, "Trần Văn Chủ"),
            events.person_contact(chair, env.mail("chu-tich")),
            events.person_contact(member, env.mail("uy-vien")),
        )

        async def known() -> bool:
            response = await client.get(f"/recipients/{member}")
            return response.status_code == 200 and response.json()["email"] == env.mail("uy-vien")

        await eventually(known, what="the members' contact points")
        council = events.council_constituted(
            env.org("hd"),
            env.org("ubnd-tinh"),
            date(2021, 1, 1),
            events.council_member(chair, date(2021, 1, 1)),
            events.council_member(member, date(2021, 1, 1)),
        )
        await env.send(council)
        expected = {(who, c) for who in ("chu-tich", "uy-vien") for c in ("INBOX", "EMAIL")}
        found = await eventually(partial(env.settled, client, council.id, len(expected)), what="deliveries")
        got = {(str(d["recipient_id"]), str(d["channel"]), str(d["status"])) for d in found}
        assert got == {(env.org(n), c, "DELIVERED") for n, c in expected}
        chair_view = (await client.get(f"/recipients/{chair}")).json()
        assert (chair_view["kind"], chair_view["name"]) == ("PERSON", "Trần Văn Chủ")
        # the owner's councils are found by a query on the real store too
        owner_rule = {
            "id": env.org("owner-council"),
            "description": "Hồ sơ của đơn vị: thành viên Hội đồng của đơn vị",
            "event_types": [events.NOMINATION_TYPE],
            "recipients": [{"source": "COUNCIL_MEMBERS", "path": "submitting_organization_id"}],
            "channels": ["INBOX"],
        }
        assert (await client.post("/rules", json=owner_rule)).status_code == 201
        nomination = events.nomination_approved(
            env.org("ubnd-tinh"), env.org("bv"), events.at(2025, 8, 1), nomination_id=env.org("hs")
        )
        await env.send(nomination)
        inbox = {(env.org(n), "INBOX") for n in ("chu-tich", "uy-vien")}

        async def reached() -> bool:
            page = (await client.get("/deliveries", params={"event_id": nomination.id, "limit": 100})).json()
            return {(d["recipient_id"], d["channel"]) for d in page["items"]} >= inbox

        await eventually(reached, what="the council members' inbox messages")
    [mail] = env.smtp.to(env.mail("chu-tich"))
    assert mail["Subject"] == "Thông báo về thành phần Hội đồng Thi đua – Khen thưởng"
    assert mail.get_content().startswith(
        "Kính gửi Trần Văn Chủ,\n\nHội đồng Thi đua – Khen thưởng tỉnh đã được thành lập, nhiệm kỳ từ ngày 01/01/2021."
    )


async def test_a_report_of_a_merged_organisation_reaches_its_successor(env: Env) -> None:
    """Sáp nhập: the registry's merger event reaches notify's organisation directory; mail to the merged unit goes
    to its successor's address, and the delivery keeps the unit the rule named."""
    old, new = env.org("so-khcn"), env.org("so-khcn-tt")
    async with env.notify() as client:
        await directory(env, client, "so-khcn", "so-khcn-tt")
        await env.send(events.merged(new, old))

        async def merged() -> bool:
            response = await client.get(f"/organizations/{old}")
            return response.status_code == 200 and response.json().get("successor_id") == new

        await eventually(merged, what="the merger in notify's directory")
        report = events.report_submitted(old, events.at(2025, 12, 1), report_id=env.org("bc-merged"))
        await env.send(report)
        found = await eventually(partial(env.settled, client, report.id, 3), what="deliveries to the successor")
    assert {(d["recipient_id"], d["channel"], d["status"], d["addressed_to"]) for d in found} == {
        (new, channel, "DELIVERED", old) for channel in ("INBOX", "EMAIL", "WEBHOOK")
    }
    assert [m["Subject"] for m in env.smtp.to(env.mail("so-khcn-tt"))] == ["Báo cáo kỳ 2025 đã được nộp"]
    assert env.smtp.to(env.mail("so-khcn")) == []
    assert [CloudEvent.model_validate(json.loads(r.body)).id for r in env.endpoint.to(f"/{new}")] == [report.id]


async def test_a_grant_review_request_reaches_the_deciding_authoritys_office_over_the_bus(env: Env) -> None:
    authority = f"CHAIRMAN_{env.run_id.upper()}"  # this test's own authority: others share the topics
    async with env.notify() as client:
        await directory(env, client, "vp-ubnd", "so-noi-vu")
        office = RoleAssigned(
            assignment_id=env.org("qd"),
            role=DECIDING,
            organization_id=env.org("vp-ubnd"),
            valid_from=date(2020, 1, 1),
            authority=authority,
        )
        await env.send(make_event(office, partitionkey=env.org("vp-ubnd")))
        await eventually(lambda: holds(client, DECIDING, "2025-08-01", env.org("vp-ubnd")), what="the office's role")
        review = GrantReviewRequested(
            grant_id=env.org("qd-1.1"),
            decision_id=env.org("qd-1"),
            decision_number="12/QĐ-UBND",
            recipient_id=env.org("p"),
            recipient_name="Nguyễn Thị Hà",
            award_code="CSTD_TINH",
            year=2025,
            revoked_grant_id=env.org("h.3"),
            revocation_reason=RevocationReason.FALSE_INFO,
            deciding_authority=authority,
            signer_role="PROVINCE_CHAIRMAN",
            submitting_organization_id=env.org("so-noi-vu"),
        )
        flagged = make_event(review, partitionkey=env.org("p"))
        await env.send(flagged)
        # the office and the proposer, on every channel; never the TĐKT body's fallback
        items = await eventually(lambda: env.settled(client, flagged.id, 6), what="the review request's deliveries")
        assert {d["recipient_id"] for d in items} == {env.org("vp-ubnd"), env.org("so-noi-vu")}
        assert {d["status"] for d in items} == {"DELIVERED"}
