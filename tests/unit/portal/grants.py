"""An award.granted event as the portal's roll tests feed it."""

from __future__ import annotations

from datetime import date

from tdkt_shared.contract.awards import AwardGranted, NomineeKind


def grant(grant_id: str, name: str, code: str = "CSTD_TINH", year: int = 2025, org: str = "so-y-te") -> AwardGranted:
    return AwardGranted(
        grant_id=grant_id,
        recipient_id=f"p-{grant_id}",
        recipient_kind=NomineeKind.INDIVIDUAL,
        recipient_name=name,
        award_code=code,
        award_kind="ANNUAL_MERIT",
        year=year,
        rule_set_id="VN-2018-D91",
        decision_number=f"{grant_id}/QĐ-UBND",
        decision_date=date(year, 12, 20),
        organization_id=org,
    )
