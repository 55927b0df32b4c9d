from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tdkt_shared.contract import (
    CloudEvent,
    EventData,
    event_type,
    make_event,
    parse_data,
    registered_types,
    topic_for_type,
)
from tdkt_shared.contract.catalog import render
from tdkt_shared.contract.registry import OrganizationRegistered
from tests.unit.awards import contract_samples as awards_samples
from tests.unit.notify import contract_samples as notify_samples
from tests.unit.reporting import contract_samples as reporting_samples

ROOT = Path(__file__).resolve().parents[3]

SAMPLES: dict[str, dict[str, object]] = {
    "tdkt.registry.organization.registered.v1": {
        "organization_id": "so-noi-vu-bac-kan",
        "name": "Sở Nội vụ tỉnh Bắc Kạn",
        "kind": "DEPARTMENT",
        "parent_id": "ubnd-tinh-bac-kan",
        "valid_from": "2008-01-01",
        "version": 1,
    },
    "tdkt.registry.role.assigned.v1": {
        "assignment_id": "press-bao-bac-kan-2024",
        "role": "PRESS_COMMUNICATION",
        "organization_id": "bao-bac-kan",
        "valid_from": "2024-01-01",
        "valid_to": "2025-06-30",
        "scope_organization_id": "ubnd-tinh-bac-kan",
    },
    "tdkt.registry.organizations.merged.v1": {
        "predecessor_ids": ["ubnd-tinh-bac-kan", "ubnd-tinh-thai-nguyen-cu"],
        "successor_id": "ubnd-tinh-thai-nguyen",
        "effective_date": "2025-07-01",
        "legal_basis": "Nghị quyết 202/2025/QH15",
        "batch_id": "reorg-2025-07-01",
    },
    "tdkt.registry.person.employment.changed.v1": {
        "person_id": "p-nguyen-thi-ha",
        "full_name": "Nguyễn Thị Hà",
        "employments": [
            {
                "organization_id": "so-noi-vu",
                "position": "Chuyên viên",
                "valid_from": "2015-01-01",
                "valid_to": "2020-12-31",
            },
            {"organization_id": "so-tai-chinh", "position": "Phó phòng", "valid_from": "2021-01-01"},
        ],
    },
    "tdkt.registry.contact_point.set.v1": {
        "owner_id": "bao-bac-kan",
        "owner_kind": "ORGANIZATION",
        "email": "toasoan@baobackan.example",
        "webhook_url": "https://hooks.example/tdkt",
    },
    "tdkt.registry.organization.changed.v1": {
        "organization_id": "so-khcn-bac-kan",
        "name": "Sở Khoa học và Công nghệ tỉnh Bắc Kạn",
        "kind": "DEPARTMENT",
        "parent_id": "ubnd-tinh-bac-kan",
        "valid_from": "2025-03-01",
        "changed": ["name"],
        "legal_basis": "Quyết định hợp nhất (minh họa)",
        "version": 2,
    },
    "tdkt.registry.organization.split.v1": {
        "predecessor_id": "so-tttt-bac-kan",
        "successor_ids": ["so-khcn-bac-kan", "so-vhttdl-bac-kan"],
        "effective_date": "2025-03-01",
        "legal_basis": "Quyết định (minh họa)",
    },
    "tdkt.registry.organization.dissolved.v1": {
        "organization_id": "ubnd-huyen-ba-be",
        "effective_date": "2025-07-01",
        "legal_basis": "Luật 72/2025/QH15",
        "batch_id": "reorg-2025-07-01",
    },
    "tdkt.registry.reorganization.applied.v1": {
        "batch_id": "reorg-2025-07-01",
        "legal_basis": "Nghị quyết 202/2025/QH15",
        "title": "Sắp xếp đơn vị hành chính 1/7/2025",
        "steps": [
            {
                "kind": "MERGE",
                "from_ids": ["ubnd-tinh-bac-kan"],
                "to_ids": ["ubnd-tinh-thai-nguyen"],
                "effective_date": "2025-07-01",
            }
        ],
    },
    "tdkt.registry.cluster.formed.v1": {
        "cluster_id": "cum-huyen-bac-kan-2024",
        "name": "Cụm thi đua các huyện, thành phố",
        "kind": "CLUSTER",
        "year": 2024,
        "formed_on": "2024-01-15",
        "managing_organization_id": "ubnd-tinh-bac-kan",
        "members": [{"organization_id": "ubnd-huyen-ba-be", "role": "LEADER"}],
    },
    "tdkt.registry.cluster.membership.changed.v1": {
        "cluster_id": "cum-huyen-bac-kan-2024",
        "year": 2024,
        "reason": "LEADER_ROTATED",
        "organization_id": "ubnd-huyen-na-ri",
        "effective_date": "2024-12-20",
        "members": [
            {"organization_id": "ubnd-huyen-ba-be", "role": "MEMBER"},
            {"organization_id": "ubnd-huyen-na-ri", "role": "LEADER"},
        ],
    },
    "tdkt.registry.person.registered.v1": {"person_id": "p-nguyen-thi-ha", "full_name": "Nguyễn Thị Hà"},
    "tdkt.registry.council.constituted.v1": {
        "council_id": "hd-tdkt-tinh-bac-kan",
        "name": "Hội đồng Thi đua – Khen thưởng tỉnh Bắc Kạn",
        "level": "PROVINCE",
        "organization_id": "ubnd-tinh-bac-kan",
        "term_from": "2021-07-01",
        "members": [{"person_id": "p-1", "role": "CHAIR", "valid_from": "2021-07-01"}],
    },
    "tdkt.registry.council.membership.changed.v1": {
        "council_id": "hd-tdkt-tinh-bac-kan",
        "person_id": "p-2",
        "members": [
            {"person_id": "p-1", "role": "CHAIR", "valid_from": "2021-07-01"},
            {"person_id": "p-2", "role": "STANDING_VICE_CHAIR", "valid_from": "2024-01-01"},
        ],
    },
    "tdkt.reporting.report.submitted.v1": {
        "report_id": "r-2024-ba-be",
        "organization_id": "ubnd-huyen-ba-be",
        "kind": "FINAL_REVIEW",
        "period": "2024",
        "due_date": "2024-11-30",
        "submitted_at": "2024-11-28T09:30:00Z",
        "movement_id": "xoa-nha-tam-2025",
        "submitted_by": "u-1",
        "revision": 2,
    },
    "tdkt.reporting.congress.scheduled.v1": {
        "congress_id": "dai-hoi-tdyn-bac-kan-vi",
        "kind": "PATRIOTIC_EMULATION_CONGRESS",
        "title": "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI",
        "level": "province",
        "organizer_id": "ubnd-tinh-bac-kan",
        "held_on": "2025-06-20",
        "venue": "Hội trường UBND tỉnh",
        "agenda": ["Báo cáo tổng kết", "Khen thưởng"],
        "invited_organization_ids": ["so-noi-vu-bac-kan"],
        "honouree_quota": 120,
    },
    "tdkt.awards.nomination.approved.v1": {
        "nomination_id": "n-1",
        "award_code": "CSTD_TINH",
        "rule_set_id": "vn-2024-law06-nd98",
        "submitting_organization_id": "so-noi-vu-bac-kan",
        "nominees": [{"nominee_id": "p-1", "kind": "INDIVIDUAL", "name": "Nguyễn Thị Hà"}],
        "council_session_id": "s-1",
        "council_results": [
            {
                "nominee_id": "p-1",
                "members_total": 11,
                "votes_cast": 10,
                "votes_yes": 9,
                "threshold_percent": 70.0,
                "passed": True,
            }
        ],
    },
    "tdkt.awards.nomination.status_changed.v1": {
        "nomination_id": "n-1",
        "award_code": "CSTD_TINH",
        "from_status": "UNDER_APPRAISAL",
        "to_status": "RETURNED",
        "action": "return",
        "actor": "chuyen-vien-1",
        "organization_id": "so-noi-vu-thai-nguyen",
        "at": "2025-09-01T08:00:00Z",
        "missing_items": ["CHUNG_NHAN_SANG_KIEN"],
    },
    "tdkt.awards.eligibility.evaluated.v1": {
        "nomination_id": "n-1",
        "nominee_id": "p-1",
        "award_code": "CSTD_TINH",
        "year": 2025,
        "rule_set_id": "VN-2025-D152+THAI-NGUYEN-2025",
        "eligible": False,
        "failed_rules": ["chain"],
    },
    "tdkt.awards.award.granted.v1": {
        "grant_id": "qd-1.p-1",
        "recipient_id": "p-1",
        "recipient_kind": "INDIVIDUAL",
        "recipient_name": "Nguyễn Thị Hà",
        "award_code": "CSTD_TINH",
        "award_kind": "ANNUAL_MERIT",
        "year": 2025,
        "rule_set_id": "VN-2025-D152+THAI-NGUYEN-2025",
        "decision_number": "123/QĐ-UBND",
        "decision_date": "2025-12-20",
        "bonus_amount": 7020000,
    },
    "tdkt.awards.award.revoked.v1": {
        "grant_id": "qd-1.p-1",
        "recipient_id": "p-1",
        "award_code": "CSTD_TINH",
        "reason": "FALSE_INFO",
        "decision_number": "45/QĐ-UBND",
        "revoked_on": "2026-03-02",
        "recover_amount": 7020000,
    },
    "tdkt.notify.notification.delivered.v1": {
        "notification_id": "nt-1",
        "source_event_id": "e-1",
        "source_event_type": "tdkt.awards.nomination.approved.v1",
        "recipient_id": "bao-bac-kan",
        "channel": "EMAIL",
        "attempts": 1,
    },
    "tdkt.notify.notification.failed.v1": {
        "notification_id": "nt-2",
        "source_event_id": "e-1",
        "source_event_type": "tdkt.awards.nomination.approved.v1",
        "recipient_id": "bao-bac-kan",
        "channel": "WEBHOOK",
        "attempts": 5,
        "error": "HTTP 503",
    },
}

CASE_SAMPLE: dict[str, object] = {
    "case_id": "case-0f1e2d3c4b5a69788796a5b4",
    "case_number": "15/QĐ-HĐKL",
    "kind": "DISCIPLINE",
    "subject": "PERSON",
    "subject_id": "nguyen-van-a",
    "handled_by_organization_id": "so-noi-vu-bac-kan",
    "opened_on": "2024-05-02",
    "status": "OPEN",
}
SAMPLES.update(
    {
        "tdkt.registry.case.opened.v1": CASE_SAMPLE,
        "tdkt.registry.case.concluded.v1": {
            **CASE_SAMPLE,
            "status": "CONCLUDED",
            "concluded_on": "2024-06-01",
            "outcome": "DISCIPLINED",
            "discipline_level": "WARNING",
            "period_from": "2024-06-01",
            "period_to": "2025-05-31",
        },
        "tdkt.registry.case.withdrawn.v1": {**CASE_SAMPLE, "status": "WITHDRAWN", "withdrawn_on": "2024-07-01"},
        "tdkt.registry.initiative.recognized.v1": {
            "initiative_id": "sk-0f1e2d3c4b5a69788796a5b4",
            "kind": "INITIATIVE",
            "title": "Số hóa hồ sơ thi đua",
            "author_ids": ["nguyen-van-a"],
            "recognizing_organization_id": "ubnd-tinh-bac-kan",
            "scope": "PROVINCE",
            "recognized_on": "2024-05-01",
            "certificate_number": "12/GCN-SK",
        },
        "tdkt.awards.grant.review_requested.v1": {
            "grant_id": "qd-1.1",
            "decision_id": "qd-1",
            "decision_number": "12/QĐ-UBND",
            "recipient_id": "nguyen-van-a",
            "recipient_name": "Nguyễn Văn A",
            "award_code": "CSTD_TINH",
            "year": 2025,
            "revoked_grant_id": "h.3",
            "revocation_reason": "FALSE_INFO",
            "deciding_authority": "PROVINCE_CHAIRMAN",
            "signer_role": "PROVINCE_CHAIRMAN",
            "nomination_id": "hs-1",
            "submitting_organization_id": "so-noi-vu-bac-kan",
        },
        "tdkt.registry.assessment.recorded.v1": {
            "assessment_id": "kq-0f1e2d3c4b5a69788796a5b4",
            "person_id": "nguyen-van-a",
            "year": 2024,
            "rating": "EXCELLENT",
            "organization_id": "so-noi-vu-bac-kan",
        },
        "tdkt.registry.collective_assessment.recorded.v1": {
            "assessment_id": "kqtt-1a2b3c4d5e6f708192a3b4c5",
            "organization_id": "so-noi-vu-bac-kan",
            "year": 2024,
            "rating": "GOOD",
            "assessed_by_organization_id": "ubnd-tinh-bac-kan",
        },
    }
)
SAMPLES.update(reporting_samples.SAMPLES)
SAMPLES.update(notify_samples.SAMPLES)
SAMPLES.update(awards_samples.SAMPLES)


def test_the_three_design_events_exist_under_their_exact_names() -> None:
    types = registered_types()
    for name in (
        "tdkt.reporting.report.submitted.v1",
        "tdkt.awards.nomination.approved.v1",
        "tdkt.reporting.congress.scheduled.v1",
    ):
        assert name in types


def test_every_registered_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(registered_types())


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_type_round_trips_through_the_envelope(name: str) -> None:
    model = registered_types()[name]
    data = model.model_validate(SAMPLES[name])
    event = make_event(data, partitionkey="agg-1", correlationid="c-1")
    assert event.type == name
    assert event.source == f"/tdkt/{name.split('.')[1]}"
    wire = event.to_json_bytes()
    back = CloudEvent.model_validate_json(wire)
    assert back == event
    assert parse_data(back) == data
    assert json.loads(wire)["specversion"] == "1.0"


def test_envelope_round_trips_with_extensions_and_keeps_unknown_attributes() -> None:
    event = CloudEvent(
        source="/tdkt/registry",
        type="tdkt.registry.organization.registered.v1",
        time=datetime(2025, 7, 1, 8, 0, tzinfo=UTC),
        subject="organizations/x",
        partitionkey="x",
        correlationid="corr",
        causationid="cause",
        data={"a": 1},
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        dataschema="https://example.org/schema",
    )
    back = CloudEvent.model_validate_json(event.to_json_bytes())
    assert back == event
    assert back.traceparent == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert back.model_extra == {"dataschema": "https://example.org/schema"}
    assert back.time == datetime(2025, 7, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value"),
    [("specversion", "0.3"), ("partitionkey", ""), ("time", "2025-07-01T08:00:00"), ("source", "")],
)
def test_envelope_rejects_invalid_attributes(field: str, value: str) -> None:
    attrs = {"source": "/tdkt/x", "type": "tdkt.registry.a.b.v1", "partitionkey": "k", field: value}
    with pytest.raises(ValidationError) as err:
        CloudEvent.model_validate(attrs)
    assert err.value.errors()[0]["loc"][0] == field


def test_readers_ignore_fields_they_do_not_know() -> None:
    data = dict(SAMPLES["tdkt.registry.organization.registered.v1"], added_later="x")
    assert OrganizationRegistered.model_validate(data).organization_id == "so-noi-vu-bac-kan"


def test_unknown_types_parse_to_none() -> None:
    event = CloudEvent(source="/x", type="tdkt.registry.thing.happened.v9", partitionkey="k")
    assert parse_data(event) is None


@pytest.mark.parametrize(
    "bad", ["registry.organization.registered.v1", "tdkt.payroll.x.y.v1", "tdkt.registry.x.v1", "tdkt.registry.a.b.v0"]
)
def test_type_names_must_follow_the_convention(bad: str) -> None:
    with pytest.raises(ValueError, match="does not follow"):
        event_type(bad, key="id")(type("Bad", (EventData,), {}))


def test_a_type_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        event_type("tdkt.registry.organization.registered.v1", key="id")(type("Again", (EventData,), {}))


def test_topics_follow_the_producing_service() -> None:
    assert topic_for_type("tdkt.reporting.report.submitted.v1") == "tdkt.reporting.events"
    assert topic_for_type("tdkt.awards.nomination.approved.v1") == "tdkt.awards.events"


def test_vietnamese_text_is_stored_in_nfc() -> None:
    decomposed = "So\u031b\u0309 Nô\u0323i vu\u0323"  # "Sở Nội vụ" with combining marks
    data = OrganizationRegistered.model_validate(
        dict(SAMPLES["tdkt.registry.organization.registered.v1"], name=decomposed)
    )
    assert data.name == "Sở Nội vụ"


def test_text_is_bounded_after_nfc_too() -> None:
    sample = SAMPLES["tdkt.registry.organization.registered.v1"]
    grows = "\U0001d160"  # one character that NFC writes as three
    assert len(OrganizationRegistered.model_validate(dict(sample, name=grows * 166)).name) == 498
    with pytest.raises(ValidationError, match=r"at most 500 characters \(in Unicode NFC\)"):
        OrganizationRegistered.model_validate(dict(sample, name=grows * 167))


def test_the_generated_catalogue_is_current() -> None:
    committed = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/events.md is stale: run `make events-doc`"
    for name in registered_types():
        assert f"### `{name}`" in committed
