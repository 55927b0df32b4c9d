"""The CSTĐ cấp tỉnh dossier the awards bus tests walk: a person with three consecutive CSTĐ cơ sở titles
(2023 to 2025) and a provincial initiative on record, proposed for 2025."""

from __future__ import annotations

from typing import Any

CHECKLIST = ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"]
"""CSTĐ cấp tỉnh's checklist items."""


def cstd_co_so_history(person: str, name: str, number: str = "QĐ") -> list[dict[str, Any]]:
    """The import lines of `person`'s CSTĐ cơ sở titles for 2023, 2024 and 2025 (`<year>/<number>`)."""
    return [
        {
            "recipient_id": person,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": name,
            "award_code": "CSTD_CO_SO",
            "year": y,
            "decision_number": f"{y}/{number}",
            "decision_date": f"{y}-12-10",
        }
        for y in (2023, 2024, 2025)
    ]


def cstd_tinh_draft(
    nid: str, person: str, name: str, organization: str, *, territory: str | None = None, **nominee: Any
) -> dict[str, Any]:
    """A draft of CSTĐ cấp tỉnh for 2025 proposing `person`, with every checklist item named; `nominee` adds
    fields to the nominee (declared initiatives, for example)."""
    draft: dict[str, Any] = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "CSTD_TINH",
        "year": 2025,
        "submitting_organization_id": organization,
        "nominees": [{"nominee_id": person, "kind": "INDIVIDUAL", "name": name, **nominee}],
        "attachments": CHECKLIST,
    }
    if territory is not None:
        draft["territory"] = territory
    return draft
