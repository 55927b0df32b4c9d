"""Vietnamese labels for the states, roles and kinds the APIs answer with (the APIs speak English identifiers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

STATUS = {
    "DRAFT": "Dự thảo",
    "SUBMITTED": "Đã nộp",
    "RECEIVED": "Đã tiếp nhận",
    "UNDER_APPRAISAL": "Đang thẩm định",
    "RETURNED": "Trả lại",
    "INELIGIBLE": "Không đủ điều kiện",
    "ELIGIBLE": "Đủ điều kiện",
    "PUBLIC_CONSULTATION": "Đang lấy ý kiến Nhân dân",
    "COUNCIL_REVIEW": "Trình Hội đồng",
    "APPROVED": "Hội đồng thông qua",
    "REJECTED": "Hội đồng không thông qua",
    "DECIDED": "Đã có quyết định",
    "ON_HOLD": "Tạm dừng xét",
    "ACCEPTED": "Đã chấp nhận",
    "LAUNCHED": "Đã phát động",
    "CLOSED": "Đã kết thúc",
}

ROLE = {
    "unit_officer": "Cán bộ thi đua đơn vị",
    "tdkt_specialist": "Chuyên viên Ban Thi đua – Khen thưởng",
    "council_member": "Thành viên Hội đồng TĐKT",
    "council_secretary": "Thư ký Hội đồng TĐKT",
    "press_officer": "Cán bộ cơ quan báo chí",
    "registry_admin": "Quản trị danh mục",
    "admin": "Quản trị hệ thống",
}

KIND = {"INDIVIDUAL": "Cá nhân", "COLLECTIVE": "Tập thể", "HOUSEHOLD": "Hộ gia đình"}


def status(value: Any) -> str:
    return STATUS.get(str(value), str(value))


def role(value: Any) -> str:
    return ROLE.get(str(value), str(value))


def kind(value: Any) -> str:
    return KIND.get(str(value), str(value))


def day(value: Any) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return str(value.strftime("%d/%m/%Y"))
    return str(value)
