"""Events of the unit registry (`tdkt.registry.events`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tdkt_shared.contract.text import Identifier, Text
from tdkt_shared.contract.types import EventData, event_type


class OrganizationKind(StrEnum):
    """What an organisation is. Levels are not kinds: the tree gives the level, so abolishing one is data."""

    PEOPLES_COMMITTEE = "PEOPLES_COMMITTEE"
    """Ủy ban nhân dân (province, commune or ward)."""
    DEPARTMENT = "DEPARTMENT"
    """Sở, ban, ngành."""
    AGENCY = "AGENCY"
    """Cơ quan, đơn vị sự nghiệp."""
    PARTY_BODY = "PARTY_BODY"
    """Cơ quan tham mưu, giúp việc Tỉnh ủy."""
    FATHERLAND_FRONT = "FATHERLAND_FRONT"
    """Ủy ban Mặt trận Tổ quốc Việt Nam."""
    MASS_ORGANIZATION = "MASS_ORGANIZATION"
    """Tổ chức chính trị - xã hội, hội."""
    PRESS = "PRESS"
    """Báo, đài (cơ quan báo chí)."""
    ENTERPRISE = "ENTERPRISE"
    """Doanh nghiệp."""
    SCHOOL = "SCHOOL"
    OTHER = "OTHER"


@event_type("tdkt.registry.organization.registered.v1", key="organization_id")
class OrganizationRegistered(EventData):
    """An organisation entered the registry with its first effective-dated version."""

    organization_id: Identifier
    name: Text
    kind: OrganizationKind
    parent_id: Identifier | None = None
    official_code: str | None = None
    area_code: str | None = None
    valid_from: date
    version: int = 1


AuthorityCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,79}$", examples=["PROVINCE_CHAIRMAN"])]
"""A deciding authority as the award catalogue names it."""


class FunctionalRole(StrEnum):
    """A function an organisation holds for a period; other services ask who holds it on a date."""

    TDKT_STATE_MANAGEMENT = "TDKT_STATE_MANAGEMENT"
    """Cơ quan quản lý nhà nước về thi đua, khen thưởng (Sở Nội vụ / Ban Thi đua – Khen thưởng)."""
    PRESS_COMMUNICATION = "PRESS_COMMUNICATION"
    """Cơ quan báo chí, truyền thông (publicises results)."""
    COUNCIL_STANDING_BODY = "COUNCIL_STANDING_BODY"
    """Cơ quan thường trực Hội đồng Thi đua – Khen thưởng."""
    DECIDING_AUTHORITY = "DECIDING_AUTHORITY"
    """Cấp có thẩm quyền quyết định khen thưởng: the organisation that receives the matters one deciding authority
    (named in the assignment's `authority`) decides, e.g. the provincial People's Committee's office."""


@event_type("tdkt.registry.role.assigned.v1", key="assignment_id")
class RoleAssigned(EventData):
    """An organisation holds a functional role from `valid_from` to `valid_to` (inclusive; None: open-ended).

    Several organisations may hold one role at once (e.g. several press bodies).
    """

    assignment_id: Identifier
    role: FunctionalRole
    organization_id: Identifier
    valid_from: date
    valid_to: date | None = None
    scope_organization_id: Identifier | None = None
    """The organisation (e.g. the province) on whose behalf the role is held."""
    authority: AuthorityCode | None = None
    """For DECIDING_AUTHORITY only: the deciding authority served, as the award catalogue names it (e.g.
    `PROVINCE_CHAIRMAN`, the `deciding_authority` of `grant.review_requested`)."""


@event_type("tdkt.registry.organizations.merged.v1", key="successor_id")
class OrganizationsMerged(EventData):
    """Predecessors merged into a successor on `effective_date`; their open work moves to the successor."""

    predecessor_ids: list[Identifier] = Field(min_length=1)
    successor_id: Identifier
    effective_date: date
    legal_basis: Text
    """e.g. Nghị quyết 202/2025/QH15."""
    batch_id: Identifier | None = None


class Employment(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: Identifier
    position: Text
    valid_from: date
    valid_to: date | None = None


@event_type("tdkt.registry.person.employment.changed.v1", key="person_id")
class PersonEmploymentChanged(EventData):
    """A person's employment history after a change: the whole history, newest last (transfers included)."""

    person_id: Identifier
    full_name: Text
    employments: list[Employment] = Field(default_factory=list)


@event_type("tdkt.registry.contact_point.set.v1", key="owner_id")
class ContactPointSet(EventData):
    """Where notifications for an organisation or a person go; replaces the owner's previous contact point."""

    owner_id: Identifier
    owner_kind: Literal["ORGANIZATION", "PERSON"]
    email: str | None = None
    webhook_url: str | None = None


# --------------------------------------------------------------------------------------------------------------
# Organisations over time and their lineage
# --------------------------------------------------------------------------------------------------------------


class OrganizationField(StrEnum):
    """A field of an organisation version that a change can alter."""

    NAME = "name"
    KIND = "kind"
    PARENT_ID = "parent_id"
    OFFICIAL_CODE = "official_code"
    AREA_CODE = "area_code"


@event_type("tdkt.registry.organization.changed.v1", key="organization_id")
class OrganizationChanged(EventData):
    """A new effective-dated version of an organisation (rename, retype, reparent, recode).

    The version in force until the day before `valid_from` is closed; the fields below are the whole new version,
    `changed` says which of them differ from the previous one.
    """

    organization_id: Identifier
    name: Text
    kind: OrganizationKind
    parent_id: Identifier | None = None
    official_code: str | None = None
    area_code: str | None = None
    valid_from: date
    changed: list[OrganizationField] = Field(min_length=1)
    legal_basis: Text | None = None
    version: int = Field(ge=1, description="The registry's version of the organisation after this change")
    batch_id: Identifier | None = None


@event_type("tdkt.registry.organization.split.v1", key="predecessor_id")
class OrganizationSplit(EventData):
    """A predecessor was split into successors on `effective_date` (its last day in force is the day before,
    unless `predecessor_continues`)."""

    predecessor_id: Identifier
    successor_ids: list[Identifier] = Field(min_length=1)
    effective_date: date
    legal_basis: Text
    predecessor_continues: bool = False
    batch_id: Identifier | None = None


@event_type("tdkt.registry.organization.dissolved.v1", key="organization_id")
class OrganizationDissolved(EventData):
    """An organisation ceased to exist on `effective_date` without a successor (its last day in force is the day
    before), e.g. a district People's Committee on 1/7/2025."""

    organization_id: Identifier
    effective_date: date
    legal_basis: Text
    batch_id: Identifier | None = None


class MappingKind(StrEnum):
    """One step of a bulk reorganisation."""

    MERGE = "MERGE"
    SPLIT = "SPLIT"
    CHANGE = "CHANGE"
    """Rename, retype, reparent or recode: a new version of one organisation."""
    DISSOLVE = "DISSOLVE"


class ReorganizationStep(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: MappingKind
    from_ids: list[Identifier] = Field(min_length=1)
    to_ids: list[Identifier] = Field(default_factory=list)
    effective_date: date


@event_type("tdkt.registry.reorganization.applied.v1", key="batch_id")
class ReorganizationApplied(EventData):
    """A bulk reorganisation finished: every step has been applied (each with its own event, which carries the
    `batch_id`). Emitted once per batch id, after the steps' events."""

    batch_id: Identifier
    legal_basis: Text
    title: Text | None = None
    steps: list[ReorganizationStep] = Field(min_length=1)


# --------------------------------------------------------------------------------------------------------------
# Emulation clusters and blocks
# --------------------------------------------------------------------------------------------------------------


class ClusterKind(StrEnum):
    CLUSTER = "CLUSTER"
    """Cụm thi đua (units of one kind, e.g. districts)."""
    BLOC = "BLOC"
    """Khối thi đua (units of one sector)."""


class ClusterRole(StrEnum):
    LEADER = "LEADER"
    """Trưởng cụm / khối."""
    DEPUTY = "DEPUTY"
    """Phó trưởng cụm / khối."""
    MEMBER = "MEMBER"
    """Thành viên."""


class ClusterMember(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: Identifier
    role: ClusterRole


@event_type("tdkt.registry.cluster.formed.v1", key="cluster_id")
class ClusterFormed(EventData):
    """An emulation cluster or bloc was formed for a year, with its first members."""

    cluster_id: Identifier
    name: Text
    kind: ClusterKind
    year: int = Field(ge=1945, le=2200)
    formed_on: date
    managing_organization_id: Identifier | None = None
    """The unit that organises the cluster (usually the provincial People's Committee)."""
    members: list[ClusterMember] = Field(default_factory=list)


class ClusterChangeReason(StrEnum):
    MEMBER_ADDED = "MEMBER_ADDED"
    MEMBER_REMOVED = "MEMBER_REMOVED"
    ROLE_CHANGED = "ROLE_CHANGED"
    LEADER_ROTATED = "LEADER_ROTATED"


@event_type("tdkt.registry.cluster.membership.changed.v1", key="cluster_id")
class ClusterMembershipChanged(EventData):
    """A cluster's membership after a change: the whole member list (a leader rotation included)."""

    cluster_id: Identifier
    year: int
    reason: ClusterChangeReason
    organization_id: Identifier
    """The member the change was about (the new leader for a rotation)."""
    effective_date: date
    members: list[ClusterMember]


# --------------------------------------------------------------------------------------------------------------
# Persons and councils
# --------------------------------------------------------------------------------------------------------------


@event_type("tdkt.registry.person.registered.v1", key="person_id")
class PersonRegistered(EventData):
    """A person entered the registry (a stable id, independent of any organisation). Employment follows in
    `person.employment.changed`."""

    person_id: Identifier
    full_name: Text
    birth_year: int | None = None
    gender: Literal["MALE", "FEMALE", "OTHER"] | None = None


class CouncilRole(StrEnum):
    CHAIR = "CHAIR"
    """Chủ tịch Hội đồng."""
    STANDING_VICE_CHAIR = "STANDING_VICE_CHAIR"
    """Phó Chủ tịch thường trực."""
    VICE_CHAIR = "VICE_CHAIR"
    """Phó Chủ tịch."""
    MEMBER = "MEMBER"
    """Ủy viên."""


class CouncilMember(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    person_id: Identifier
    role: CouncilRole
    valid_from: date
    valid_to: date | None = None


@event_type("tdkt.registry.council.constituted.v1", key="council_id")
class CouncilConstituted(EventData):
    """An Emulation–Commendation Council (Hội đồng Thi đua – Khen thưởng) was constituted for a term."""

    council_id: Identifier
    name: Text
    level: str = Field(min_length=1, max_length=40, examples=["PROVINCE", "COMMUNE", "AGENCY"])
    organization_id: Identifier
    """The owning organisation (e.g. the provincial People's Committee)."""
    term_from: date
    term_to: date | None = None
    members: list[CouncilMember] = Field(default_factory=list)
    legal_basis: Text | None = None


@event_type("tdkt.registry.council.membership.changed.v1", key="council_id")
class CouncilMembershipChanged(EventData):
    """A council's membership after a change: the whole member list with each member's period."""

    council_id: Identifier
    person_id: Identifier
    """The member the change was about."""
    members: list[CouncilMember]
