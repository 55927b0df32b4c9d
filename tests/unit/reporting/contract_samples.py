"""Sample data of reporting's event types, checked by the shared contract tests."""

from __future__ import annotations

_CHANGE = {"movement_id": "xoa-nha-tam-2025", "version": 2, "occurred_on": "2025-01-10", "by": "ubnd-tinh-bac-kan"}
_SCOPE = {
    "period_start": "2025-01-01",
    "period_end": "2025-12-31",
    "scope_organization_ids": ["ubnd-huyen-ba-be"],
    "scope_cluster_ids": ["cum-1"],
    "scope_area_codes": ["06"],
}

SAMPLES: dict[str, dict[str, object]] = {
    "tdkt.reporting.movement.drafted.v1": {
        **_CHANGE,
        **_SCOPE,
        "status": "DRAFT",
        "version": 1,
        "title": "Chung tay xóa nhà tạm, nhà dột nát trong năm 2025",
        "kind": "TOPIC",
        "level": "province",
        "launching_organization_id": "ubnd-tinh-bac-kan",
        "parent_movement_id": "ca-nuoc-xoa-nha-tam",
    },
    "tdkt.reporting.movement.launched.v1": {
        **_CHANGE,
        **_SCOPE,
        "status": "LAUNCHED",
        "decision_number": "645/KH-UBND",
        "decision_date": "2024-09-25",
    },
    "tdkt.reporting.movement.started.v1": {**_CHANGE, "status": "IN_PROGRESS"},
    "tdkt.reporting.movement.preliminary_reviewed.v1": {
        **_CHANGE,
        "status": "PRELIMINARY_REVIEWED",
        "review_number": 2,
    },
    "tdkt.reporting.movement.final_reviewed.v1": {**_CHANGE, "status": "FINAL_REVIEWED"},
    "tdkt.reporting.movement.closed.v1": {**_CHANGE, "status": "CLOSED"},
    "tdkt.reporting.movement.cancelled.v1": {**_CHANGE, "status": "CANCELLED", "reason": "Gộp vào phong trào khác"},
    "tdkt.reporting.report.drafted.v1": {
        "report_id": "r-2024-ba-be",
        "organization_id": "ubnd-huyen-ba-be",
        "kind": "PERIODIC",
        "period": "2024-H1",
        "due_date": "2024-06-15",
        "movement_id": "xoa-nha-tam-2025",
    },
    "tdkt.reporting.report.returned.v1": {
        "report_id": "r-2024-ba-be",
        "organization_id": "ubnd-huyen-ba-be",
        "reason": "Thiếu số liệu chỉ tiêu 3",
        "revision": 1,
        "returned_at": "2024-06-20T08:00:00Z",
        "returned_by": "so-noi-vu-bac-kan",
    },
    "tdkt.reporting.report.accepted.v1": {
        "report_id": "r-2024-ba-be",
        "organization_id": "ubnd-huyen-ba-be",
        "revision": 2,
        "accepted_at": "2024-06-25T08:00:00Z",
        "accepted_by": "so-noi-vu-bac-kan",
    },
    "tdkt.reporting.report.reassigned.v1": {
        "report_id": "r-2024-ba-be",
        "from_organization_id": "ubnd-huyen-ba-be",
        "to_organization_id": "ubnd-xa-cho-ra",
        "effective_date": "2025-07-01",
        "legal_basis": "Nghị quyết 1683/NQ-UBTVQH15",
    },
    "tdkt.reporting.report.due_soon.v1": {
        "report_id": "r-2024-ba-be",
        "organization_id": "ubnd-huyen-ba-be",
        "due_date": "2024-06-15",
        "days_left": 5,
    },
    "tdkt.reporting.report.overdue.v1": {
        "report_id": "r-2024-ba-be",
        "organization_id": "ubnd-huyen-ba-be",
        "due_date": "2024-06-15",
        "days_late": 1,
    },
    "tdkt.reporting.congress.rescheduled.v1": {
        "congress_id": "dai-hoi-tdyn-bac-kan-vi",
        "held_on": "2025-06-27",
        "previous_held_on": "2025-06-20",
        "venue": "Trung tâm Hội nghị tỉnh",
    },
    "tdkt.reporting.congress.cancelled.v1": {"congress_id": "dai-hoi-tdyn-bac-kan-vi", "reason": "Sáp nhập tỉnh"},
    "tdkt.reporting.congress.held.v1": {
        "congress_id": "dai-hoi-tdyn-bac-kan-vi",
        "held_on": "2025-06-20",
        "honourees": [
            {"name": "Nguyễn Thị Hà", "kind": "INDIVIDUAL", "person_id": "p-1"},
            {"name": "UBND huyện Ba Bể", "kind": "COLLECTIVE", "organization_id": "ubnd-huyen-ba-be"},
        ],
    },
}
