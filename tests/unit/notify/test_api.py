from __future__ import annotations

import base64
from datetime import date

import httpx

from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.notify import NotificationRead
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed


async def test_the_default_rules_are_listed_and_filtered_by_event_type(client: httpx.AsyncClient) -> None:
    page = (await client.get("/rules")).json()
    assert {r["id"] for r in page["items"]} == {
        "publicity",
        "report-submitted",
        "nomination-approved",
        "congress-scheduled",
        "congress-upcoming",
        "report-reminders",
        "report-submitted-cluster-leader",
        "council-membership",
        "consultation-publicity",
        "consultation-closing",
        "decision-issued",
        "council-session-approaching",
        "grant-review-requested",
    }
    matching = (await client.get("/rules", params={"event_type": events.CONGRESS_TYPE})).json()
    assert [r["id"] for r in matching["items"]] == ["publicity", "congress-scheduled", "congress-upcoming"]


async def test_a_rule_change_needs_the_current_version_and_applies_to_the_next_event(
    client: httpx.AsyncClient, feed: Feed
) -> None:
    rule = (await client.get("/rules/report-submitted")).json()
    change = {k: v for k, v in rule.items() if k != "id"} | {"enabled": False}
    stale = await client.put("/rules/report-submitted", json=change | {"version": rule["version"] + 5})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    changed = await client.put("/rules/report-submitted", json=change)
    assert changed.status_code == 200
    assert changed.json()["version"] == rule["version"] + 1
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    assert (await client.get("/deliveries")).json()["total"] == 0


async def test_a_new_rule_routes_a_type_no_code_knows(client: httpx.AsyncClient, feed: Feed) -> None:
    rule = {
        "id": "subscribers-everything",
        "description": "Cổng thông tin nhận mọi sự kiện khen thưởng",
        "event_types": ["tdkt.awards.*"],
        "recipients": [{"source": "SUBSCRIBERS", "ids": ["cong-thong-tin"]}],
        "channels": ["INBOX"],
    }
    created = await client.post("/rules", json=rule)
    assert created.status_code == 201
    assert (await client.post("/rules", json=rule)).status_code == 409
    await feed(events.nomination_approved("so-y-te", "bv-tinh", events.at(2025, 3, 1)))
    inbox = (await client.get("/inbox/cong-thong-tin")).json()
    assert inbox["total"] == 1
    assert inbox["items"][0]["subject"].startswith("Hồ sơ đề nghị khen thưởng hs-1")


async def test_an_invalid_rule_is_refused_with_the_field_at_fault(client: httpx.AsyncClient) -> None:
    bad = {
        "id": "x",
        "description": "x",
        "event_types": ["*"],
        "recipients": [{"source": "ROLE_HOLDER"}],
        "channels": ["INBOX"],
    }
    response = await client.post("/rules", json=bad)
    assert response.status_code == 422
    assert response.json()["field"] == "recipients.0"
    assert (await client.get("/rules/x")).status_code == 404


async def test_templates_are_managed_and_used_with_the_generic_one_as_fallback(
    client: httpx.AsyncClient, feed: Feed
) -> None:
    broken = await client.put(f"/templates/{events.REPORT_TYPE}/INBOX", json={"subject": "x", "body": "{% for %}"})
    assert broken.status_code == 422
    assert broken.json()["field"] == "body"
    current = (await client.get(f"/templates/{events.REPORT_TYPE}/INBOX")).json()
    replaced = await client.put(
        f"/templates/{events.REPORT_TYPE}/INBOX",
        json={"subject": "Đã nhận báo cáo của {{ recipient.name }}", "body": "Cảm ơn.", "version": current["version"]},
    )
    assert replaced.status_code == 200
    await feed(events.organization("so-y-te", "Sở Y tế"))
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    [message] = (await client.get("/inbox/so-y-te")).json()["items"]
    assert message["subject"] == "Đã nhận báo cáo của Sở Y tế"
    rule = {
        "id": "registry-watch",
        "description": "Theo dõi đăng ký đơn vị",
        "event_types": ["tdkt.registry.organization.*"],
        "recipients": [{"source": "SUBSCRIBERS", "ids": ["kiem-tra"]}],
        "channels": ["INBOX"],
    }
    assert (await client.post("/rules", json=rule)).status_code == 201
    await feed(events.organization("so-tai-chinh", "Sở Tài chính"))
    [generic] = (await client.get("/inbox/kiem-tra")).json()["items"]
    assert generic["subject"] == "Thông báo mới từ hệ thống thi đua, khen thưởng"
    assert "tdkt.registry.organization.registered.v1" in generic["body"]


async def test_inbox_lists_counts_unread_and_marks_read(client: httpx.AsyncClient, feed: Feed) -> None:
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    await feed(events.congress_scheduled("ubnd-tinh", ["so-y-te"], events.at(2025, 8, 1)))
    page = (await client.get("/inbox/so-y-te", params={"limit": 1})).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1
    assert (await client.get("/inbox/so-y-te/unread-count")).json() == {"recipient_id": "so-y-te", "unread": 2}
    first = page["items"][0]
    read = await client.post(f"/inbox/so-y-te/{first['id']}/read")
    assert read.status_code == 200
    assert read.json()["read"] is True
    assert (await client.post(f"/inbox/so-y-te/{first['id']}/read")).status_code == 200
    assert (await client.get("/inbox/so-y-te/unread-count")).json()["unread"] == 1
    unread = (await client.get("/inbox/so-y-te", params={"unread_only": True})).json()
    assert [m["id"] for m in unread["items"]] != [first["id"]]
    assert unread["total"] == 1
    assert (await client.post(f"/inbox/ubnd-tinh/{first['id']}/read")).status_code == 404
    assert (await client.post("/inbox/so-y-te/khong-co/read")).status_code == 404


async def test_the_delivery_log_is_queryable_by_event(client: httpx.AsyncClient, feed: Feed) -> None:
    report = events.report_submitted("so-y-te", events.at(2025, 12, 1))
    await feed(report)
    log = (await client.get("/deliveries", params={"event_id": report.id})).json()
    assert [(d["recipient_id"], d["channel"], d["status"]) for d in log["items"]] == [("so-y-te", "INBOX", "DELIVERED")]
    one = (await client.get(f"/deliveries/{log['items'][0]['id']}")).json()
    assert one["attempts"][0]["ok"] is True
    assert (await client.get("/deliveries/khong-co")).status_code == 404


async def test_a_malformed_standard_webhooks_secret_is_refused_on_its_field(client: httpx.AsyncClient) -> None:
    body = {
        "id": "cong-b",
        "name": "Cổng B",
        "webhook_url": "https://b.example/h",
        "webhook_secret": "whsec_%%%%%%%%%%%%",
    }
    refused = await client.post("/subscribers", json=body)
    assert (refused.status_code, refused.json()["field"]) == (422, "webhook_secret")
    assert "base64" in refused.json()["detail"]
    assert (await client.get("/recipients/cong-b")).status_code == 404


async def test_subscribers_get_a_secret_once_and_role_holders_are_answered_by_date(
    client: httpx.AsyncClient, feed: Feed
) -> None:
    created = await client.post(
        "/subscribers",
        json={"id": "cong-thong-tin", "name": "Cổng TTĐT tỉnh", "webhook_url": "https://portal.example/h"},
    )
    assert created.status_code == 201
    secret = created.json()["webhook_secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    shown = (await client.get("/recipients/cong-thong-tin")).json()
    assert shown["has_webhook_secret"] is True
    assert "webhook_secret" not in shown
    bad = await client.post("/subscribers", json={"id": "x", "name": "x", "email": "khong-phai-email"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "email"
    assert (await client.put("/recipients/khong-co/webhook-secret", json={"secret": "s" * 20})).status_code == 404
    await feed(
        events.role("p1", FunctionalRole.PRESS_COMMUNICATION, "bao-bac-kan", date(2020, 1, 1), date(2025, 6, 30)),
        events.role("p2", FunctionalRole.PRESS_COMMUNICATION, "bao-thai-nguyen", date(2025, 7, 1)),
    )
    holders = (await client.get("/roles/PRESS_COMMUNICATION/holders", params={"on": "2025-07-01"})).json()
    assert holders["organization_ids"] == ["bao-thai-nguyen"]


async def test_a_template_that_fails_on_an_event_gives_way_to_the_built_in_one(
    client: httpx.AsyncClient, feed: Feed
) -> None:
    current = (await client.get(f"/templates/{events.REPORT_TYPE}/INBOX")).json()
    unsafe = {"subject": "{{ data.__class__.__mro__ }}", "body": "x", "version": current["version"]}
    assert (await client.put(f"/templates/{events.REPORT_TYPE}/INBOX", json=unsafe)).status_code == 200
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    [message] = (await client.get("/inbox/so-y-te")).json()["items"]
    assert message["subject"] == "Thông báo mới từ hệ thống thi đua, khen thưởng"


async def test_a_report_reminder_is_routed_by_its_rule(client: httpx.AsyncClient, feed: Feed) -> None:
    due_soon = CloudEvent(
        source="/tdkt/reporting",
        type="tdkt.reporting.report.due_soon.v1",
        partitionkey="bc-2025",
        data={
            "report_id": "bc-2025",
            "organization_id": "so-y-te",
            "period": "2025",
            "due_date": "2025-12-15",
            "days_left": 5,
        },
    )
    await feed(due_soon)
    [message] = (await client.get("/inbox/so-y-te")).json()["items"]
    assert message["subject"] == "Nhắc hạn: báo cáo kỳ 2025 sắp đến hạn"
    assert "cần nộp trước ngày 15/12/2025" in message["body"]


async def test_the_daily_digest_is_switched_on_and_off_per_recipient(client: httpx.AsyncClient, feed: Feed) -> None:
    await feed(events.organization("so-y-te", "Sở Y tế"))
    on = await client.put("/recipients/so-y-te/preferences", json={"daily_digest": True})
    assert on.status_code == 200
    assert on.json()["daily_digest"] is True
    assert (await client.get("/recipients/so-y-te")).json()["daily_digest"] is True
    off = await client.put("/recipients/so-y-te/preferences", json={"daily_digest": False})
    assert off.json()["daily_digest"] is False
    assert (await client.put("/recipients/khong-co/preferences", json={"daily_digest": True})).status_code == 404
    bad = await client.put("/recipients/so-y-te/preferences", json={"daily_digest": True, "sms": True})
    assert bad.status_code == 422
    assert bad.json()["field"] == "sms"


async def test_writes_answer_with_the_correlation_id_their_events_carry(
    client: httpx.AsyncClient, feed: Feed, runtime: InMemoryRuntime
) -> None:
    await feed(events.organization("so-y-te", "Sở Y tế"))
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1)))
    [message] = (await client.get("/inbox/so-y-te")).json()["items"]
    read = await client.post(f"/inbox/so-y-te/{message['id']}/read", headers={"X-Correlation-Id": "yeu-cau-1"})
    assert read.headers["X-Correlation-Id"] == "yeu-cau-1"
    [read_event] = [e for e in runtime.store("deliveries").events if e.type == NotificationRead.event_type]
    assert read_event.correlationid == "yeu-cau-1"
    secret = await client.put("/recipients/so-y-te/webhook-secret", json={"secret": "bi-mat-0123456789abcdef"})
    assert secret.status_code == 204
    assert secret.headers["X-Correlation-Id"]
