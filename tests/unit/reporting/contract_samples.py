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
    "tdkt.reporting.criteria_set.revised.v1": {
        "criteria_set_id": "tieu-chi-cum-1-2025",
        "revision": 2,
        "title": "Bảng tiêu chí chấm điểm Cụm thi đua số 1 năm 2025",
        "criteria_count": 12,
        "max_total": 100,
        "participant_organization_ids": ["so-noi-vu", "so-tai-chinh"],
        "change_note": "Bổ sung tiêu chí chuyển đổi số",
    },
    "tdkt.reporting.scorecard.score_recorded.v1": {
        "scorecard_id": "sc-so-noi-vu-2025",
        "criterion_code": "tc-1",
        "kind": "REVIEWER",
        "old": 8,
        "new": 9.5,
        "by": "ban-tdkt",
        "at": "2025-12-01T08:00:00Z",
    },
    "tdkt.reporting.scorecard.submitted.v1": {
        "scorecard_id": "sc-so-noi-vu-2025",
        "organization_id": "so-noi-vu",
        "cluster_id": "cum-1",
        "year": 2025,
        "self_total": 95,
    },
    "tdkt.reporting.scorecard.published.v1": {
        "scorecard_id": "sc-so-noi-vu-2025",
        "organization_id": "so-noi-vu",
        "cluster_id": "cum-1",
        "year": 2025,
        "total": 92.5,
    },
    "tdkt.reporting.cluster.ranking_published.v1": {
        "ranking_id": "cum-1.2025",
        "cluster_id": "cum-1",
        "year": 2025,
        "ranks": [
            {"organization_id": "so-noi-vu", "total": 92.5, "rank": 1},
            {"organization_id": "so-tai-chinh", "total": 90, "rank": 2},
        ],
        "leaders": ["so-noi-vu"],
        "proposed_titles": [{"organization_id": "so-noi-vu", "award_code": "co-thi-dua-tinh"}],
        "unscored_organization_ids": ["so-y-te"],
        "tied_at_cutoff": [],
    },
}
