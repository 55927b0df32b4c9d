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
    "leader": "Lãnh đạo, người có thẩm quyền quyết định khen thưởng",
    "press_officer": "Cán bộ cơ quan báo chí",
    "registry_admin": "Quản trị danh mục",
    "admin": "Quản trị hệ thống",
}

RULE = {
    "chain": "Chuỗi danh hiệu liên tục",
    "excellent_or_initiative": "Hoàn thành xuất sắc nhiệm vụ hoặc có sáng kiến",
    "holds_title_in_year": "Đạt danh hiệu trong năm",
    "initiative_scope": "Phạm vi ảnh hưởng của sáng kiến",
    "member_title_count": "Số thành viên đạt danh hiệu",
    "member_title_ratio": "Tỷ lệ thành viên đạt danh hiệu",
    "members_complete_duties": "Các thành viên hoàn thành nhiệm vụ",
    "members_no_discipline": "Không có thành viên bị kỷ luật",
    "no_discipline_in_year": "Không bị kỷ luật trong năm",
    "no_open_hold": "Không đang bị xem xét kỷ luật, thanh tra, khiếu nại",
    "rating_at_least": "Mức xếp loại chất lượng",
}
"""Eligibility rules by their catalogue id (the explanation itself is the awards service's)."""

ACTION = {
    "draft": "Lập hồ sơ",
    "submit": "Trình hồ sơ",
    "receive": "Tiếp nhận",
    "start_appraisal": "Bắt đầu thẩm định",
    "appraise": "Thẩm định",
    "return": "Trả lại",
    "consultation": "Lấy ý kiến Nhân dân",
    "to_council": "Trình Hội đồng",
    "council_vote": "Hội đồng biểu quyết",
    "hold": "Tạm dừng xét",
    "release": "Tiếp tục xét",
    "decide": "Quyết định khen thưởng",
    "revocation": "Xét lại do hủy khen thưởng",
    "attachments": "Cập nhật tài liệu",
}
"""Steps of a dossier's audit trail."""

KIND = {"INDIVIDUAL": "Cá nhân", "COLLECTIVE": "Tập thể", "HOUSEHOLD": "Hộ gia đình"}


def status(value: Any) -> str:
    return STATUS.get(str(value), str(value))


def role(value: Any) -> str:
    return ROLE.get(str(value), str(value))


def rule(value: Any) -> str:
    return RULE.get(str(value), str(value))


def action(value: Any) -> str:
    return ACTION.get(str(value), str(value))


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
