"""The seed letter's three design events and the registry events notify builds its read models from."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.awards import ApprovedNominee, NominationApproved, NominationStatusChanged, NomineeKind
from tdkt_shared.contract.registry import (
    ClusterChangeReason,
    ClusterFormed,
    ClusterKind,
    ClusterMember,
    ClusterMembershipChanged,
    ClusterRole,
    ContactPointSet,
    CouncilConstituted,
    CouncilMember,
    CouncilMembershipChanged,
    CouncilRole,
    FunctionalRole,
    OrganizationKind,
    OrganizationRegistered,
    OrganizationsMerged,
    PersonRegistered,
    RoleAssigned,
)
from tdkt_shared.contract.reporting import CongressScheduled, HonourEventKind, ReportKind, ReportSubmitted

REPORT_TYPE = ReportSubmitted.event_type
CONGRESS_TYPE = CongressScheduled.event_type
NOMINATION_TYPE = NominationApproved.event_type
CONGRESS_TITLE = "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI"
NOMINEE = "Nguyễn Thị Hà"


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def report_submitted(org: str, when: datetime, report_id: str = "bc-2025") -> CloudEvent:
    data = ReportSubmitted(
        report_id=report_id,
        organization_id=org,
        kind=ReportKind.PERIODIC,
        period="2025",
        due_date=date(2025, 12, 15),
        submitted_at=when,
    )
    return make_event(data, partitionkey=report_id, time=when)


def nomination_approved(submitter: str, nominee_org: str, when: datetime, nomination_id: str = "hs-1") -> CloudEvent:
    nominees = [
        ApprovedNominee(nominee_id="cn-1", kind=NomineeKind.INDIVIDUAL, name=NOMINEE, organization_id=nominee_org),
        ApprovedNominee(nominee_id="cn-2", kind=NomineeKind.INDIVIDUAL, name="Lê Văn Bình", organization_id=submitter),
    ]
    data = NominationApproved(
        nomination_id=nomination_id,
        award_code="BK-UBND-TINH",
        rule_set_id="rs-2024",
        submitting_organization_id=submitter,
        nominees=nominees,
        council_session_id="phien-1",
    )
    return make_event(data, partitionkey=nomination_id, time=when)


def congress_scheduled(organizer: str, invited: list[str], when: datetime, congress_id: str = "dh-6") -> CloudEvent:
    data = CongressScheduled(
        congress_id=congress_id,
        kind=HonourEventKind.PATRIOTIC_EMULATION_CONGRESS,
        title=CONGRESS_TITLE,
        level="province",
        organizer_id=organizer,
        held_on=date(2025, 9, 20),
        venue="Hội trường Tỉnh ủy",
        invited_organization_ids=invited,
    )
    return make_event(data, partitionkey=congress_id, time=when)


def organization(org: str, name: str) -> CloudEvent:
    data = OrganizationRegistered(
        organization_id=org, name=name, kind=OrganizationKind.DEPARTMENT, valid_from=date(2020, 1, 1)
    )
    return make_event(data, partitionkey=org)


def merged(successor: str, *predecessors: str, on: date = date(2025, 7, 1)) -> CloudEvent:
    """Predecessors merged into `successor` (sáp nhập) on `on`."""
    data = OrganizationsMerged(
        predecessor_ids=list(predecessors),
        successor_id=successor,
        effective_date=on,
        legal_basis="Nghị quyết 202/2025/QH15",
    )
    return make_event(data, partitionkey=successor)


def role(assignment_id: str, r: FunctionalRole, org: str, start: date, end: date | None = None) -> CloudEvent:
    data = RoleAssigned(assignment_id=assignment_id, role=r, organization_id=org, valid_from=start, valid_to=end)
    return make_event(data, partitionkey=org)


def contact(owner: str, email: str | None = None, webhook_url: str | None = None) -> CloudEvent:
    data = ContactPointSet(owner_id=owner, owner_kind="ORGANIZATION", email=email, webhook_url=webhook_url)
    return make_event(data, partitionkey=owner)


def person_contact(person: str, email: str) -> CloudEvent:
    data = ContactPointSet(owner_id=person, owner_kind="PERSON", email=email)
    return make_event(data, partitionkey=person)


def person(person_id: str, full_name: str) -> CloudEvent:
    return make_event(PersonRegistered(person_id=person_id, full_name=full_name), partitionkey=person_id)


def members(leader: str, *others: str) -> list[ClusterMember]:
    return [
        ClusterMember(organization_id=leader, role=ClusterRole.LEADER),
        *(ClusterMember(organization_id=o, role=ClusterRole.MEMBER) for o in others),
    ]


def cluster_formed(cluster_id: str, year: int, formed_on: date, leader: str, *others: str) -> CloudEvent:
    data = ClusterFormed(
        cluster_id=cluster_id,
        name="Cụm thi đua các sở, ngành khối văn hóa – xã hội",
        kind=ClusterKind.CLUSTER,
        year=year,
        formed_on=formed_on,
        members=members(leader, *others),
    )
    return make_event(data, partitionkey=cluster_id)


def cluster_changed(
    cluster_id: str, year: int, on: date, reason: ClusterChangeReason, about: str, leader: str, *others: str
) -> CloudEvent:
    data = ClusterMembershipChanged(
        cluster_id=cluster_id,
        year=year,
        reason=reason,
        organization_id=about,
        effective_date=on,
        members=members(leader, *others),
    )
    return make_event(data, partitionkey=cluster_id)


def council_member(person_id: str, start: date, end: date | None = None) -> CouncilMember:
    role = CouncilRole.CHAIR if person_id.startswith("chu-tich") else CouncilRole.MEMBER
    return CouncilMember(person_id=person_id, role=role, valid_from=start, valid_to=end)


def council_constituted(council_id: str, owner: str, term_from: date, *sitting: CouncilMember) -> CloudEvent:
    data = CouncilConstituted(
        council_id=council_id,
        name="Hội đồng Thi đua – Khen thưởng tỉnh",
        level="PROVINCE",
        organization_id=owner,
        term_from=term_from,
        members=list(sitting),
    )
    return make_event(data, partitionkey=council_id)


def council_changed(council_id: str, about: str, *sitting: CouncilMember) -> CloudEvent:
    data = CouncilMembershipChanged(council_id=council_id, person_id=about, members=list(sitting))
    return make_event(data, partitionkey=council_id)


def nomination_status(
    org: str,
    to_status: str,
    when: datetime,
    until: date | None = None,
    nomination_id: str = "hs-1",
    session_on: date | None = None,
) -> CloudEvent:
    data = NominationStatusChanged(
        nomination_id=nomination_id,
        award_code="HC-LD-HANG-NHI",
        from_status="ELIGIBLE",
        to_status=to_status,
        action="open_consultation" if until else "move",
        actor="can-bo-tdkt",
        organization_id=org,
        at=when,
        consultation_until=until,
        council_session_on=session_on,
    )
    return make_event(data, partitionkey=nomination_id, time=when)


def health_and_home_affairs() -> list[CloudEvent]:
    """Sở Y tế and Sở Nội vụ with an e-mail address each, Sở Nội vụ holding the TĐKT state-management role."""
    return [
        organization("so-y-te", "Sở Y tế"),
        organization("so-noi-vu", "Sở Nội vụ"),
        contact("so-y-te", email="vanthu@soyte.example"),
        contact("so-noi-vu", email="tdkt@snv.example"),
        role("a1", FunctionalRole.TDKT_STATE_MANAGEMENT, "so-noi-vu", date(2020, 1, 1)),
    ]
