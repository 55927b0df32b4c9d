"""The registry's records as awards receives them: events applied through awards' own consumers."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tdkt_shared.contract import EventData, make_event
from tdkt_shared.contract.records import (
    AssessmentRecorded,
    CaseConcluded,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    CaseSubject,
    CollectiveAssessmentRecorded,
    DisciplineLevel,
    DutyCompletion,
    InitiativeKind,
    InitiativeRecognized,
    InitiativeScope,
)
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import post_draft

ORG = "so-noi-vu-thai-nguyen"
WHO = {"actor": "chuyen-vien-ha", "organization_id": ORG}
ATTACHMENTS = ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"]


async def recorded(runtime: InMemoryRuntime, *datas: EventData) -> None:
    """Each event delivered to awards' consumer of its type, as the bus would."""
    handlers = runtime.handlers()
    for data in datas:
        event = make_event(data, partitionkey="k")
        assert await handlers[data.event_type](event, data) is True


def initiative(
    initiative_id: str, *authors: str, scope: InitiativeScope = InitiativeScope.NATIONAL, on: date = date(2025, 5, 2)
) -> InitiativeRecognized:
    return InitiativeRecognized(
        initiative_id=initiative_id,
        kind=InitiativeKind.INITIATIVE,
        title=f"Sáng kiến {initiative_id}",
        author_ids=list(authors),
        recognizing_organization_id="ubnd-tinh-thai-nguyen",
        scope=scope,
        recognized_on=on,
        certificate_number=f"{initiative_id}/GCN",
    )


def assessed(person: str, year: int, rating: DutyCompletion, org: str = ORG) -> AssessmentRecorded:
    return AssessmentRecorded(
        assessment_id=f"kq-{person}-{year}", person_id=person, year=year, rating=rating, organization_id=org
    )


def collective_assessed(
    collective: str, year: int, rating: DutyCompletion, by: str = ORG
) -> CollectiveAssessmentRecorded:
    """The collective's own completion of duties, reported by the body that manages it (`by`)."""
    return CollectiveAssessmentRecorded(
        assessment_id=f"kqtt-{collective}-{year}",
        organization_id=collective,
        year=year,
        rating=rating,
        assessed_by_organization_id=by,
    )


def case(number: str, subject: str, **kw: Any) -> dict[str, Any]:
    return {
        "case_id": f"case-{number}",
        "case_number": number,
        "kind": CaseKind.DISCIPLINE,
        "subject": CaseSubject.PERSON,
        "subject_id": subject,
        "handled_by_organization_id": ORG,
        "opened_on": date(2025, 2, 1),
        "status": CaseStatus.OPEN,
        **kw,
    }


def warning_of(subject: str, number: str = "1") -> CaseConcluded:
    return CaseConcluded(
        **case(
            number,
            subject,
            status=CaseStatus.CONCLUDED,
            concluded_on=date(2025, 3, 1),
            outcome=CaseOutcome.DISCIPLINED,
            discipline_level=DisciplineLevel.WARNING,
            period_from=date(2025, 3, 1),
            period_to=date(2026, 2, 28),
        )
    )


def dossier(nid: str, code: str, nominee: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": code,
        "year": 2025,
        "submitting_organization_id": ORG,
        "nominees": [{"name": "Tên", "organization_id": ORG, **nominee}],
        "attachments": ATTACHMENTS,
    }


async def appraised(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    r = await post_draft(client, body)
    assert r.status_code == 201, r.text
    current: dict[str, Any] = r.json()
    for action in ("submit", "receive", "start-appraisal", "appraise"):
        r = await client.post(f"/nominations/{body['id']}/{action}", json={"version": current["version"], **WHO})
        assert r.status_code == 200, r.text
        current = r.json()
    return current
