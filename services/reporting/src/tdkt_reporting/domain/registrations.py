"""Registrations (đăng ký thi đua) and emulation pacts (giao ước thi đua).

Registration: DRAFT -> SUBMITTED -> (RETURNED -> SUBMITTED)* -> ACCEPTED. Not a legal precondition since 2024, but
provinces collect it to plan quotas. A pact is signed once per cluster and year.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field, model_validator

from tdkt_reporting.domain import common
from tdkt_reporting.domain.common import recorded, require_status
from tdkt_reporting.domain.reports import ReportStatus
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.contract.reporting import (
    EmulationPactSigned,
    RegistrationAccepted,
    RegistrationDrafted,
    RegistrationReassigned,
    RegistrationReturned,
    RegistrationSubmitted,
    TitleRequest,
)
from tdkt_shared.contract.text import Day, Identifier, Text, Whole
from tdkt_shared.kit.events import announce
from tdkt_shared.kit.models import Command

R = ReportStatus  # same four states as a report
OPEN = (R.DRAFT, R.SUBMITTED, R.RETURNED)


class DraftRegistration(Command):
    id: Identifier
    organization_id: Identifier
    year: Whole = Field(ge=2000, le=2100)
    movement_id: Identifier | None = None
    targets: list[Text] = Field(default_factory=list)
    requested_titles: list[TitleRequest] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_line_per_title(self) -> DraftRegistration:
        codes = [t.award_code for t in self.requested_titles]
        if len(codes) != len(set(codes)):
            raise ValueError("one line per requested title")
        return self


class Registration(DraftRegistration):
    model_config = ConfigDict(extra="ignore")

    status: ReportStatus = R.DRAFT
    revision: Whole = 0
    history: list[dict[str, str | int]] = Field(default_factory=list)


def draft(command: DraftRegistration) -> tuple[Registration, RegistrationDrafted]:
    registration = Registration(
        **command.model_dump(), history=[{"status": R.DRAFT, "organization_id": command.organization_id}]
    )
    return registration, announce(RegistrationDrafted, registration, registration_id=registration.id)


def submit(registration: Registration, actor: str, now: datetime) -> tuple[Registration, RegistrationSubmitted]:
    """`actor` is the acting organisation; the API has checked that it may act for the registration's organisation."""
    require_status("registration", registration.status, [R.DRAFT, R.RETURNED], "submit")
    revision = registration.revision + 1
    changed = recorded(
        registration.model_copy(update={"revision": revision}), R.SUBMITTED, now, actor, revision=revision
    )
    return changed, announce(RegistrationSubmitted, changed, registration_id=registration.id)


def return_(registration: Registration, reason: str, now: datetime) -> tuple[Registration, RegistrationReturned]:
    require_status("registration", registration.status, [R.SUBMITTED], "return")
    changed = recorded(registration, R.RETURNED, now, reason=reason)
    return changed, RegistrationReturned(
        registration_id=registration.id, organization_id=registration.organization_id, reason=reason
    )


def accept(registration: Registration, now: datetime) -> tuple[Registration, RegistrationAccepted]:
    require_status("registration", registration.status, [R.SUBMITTED], "accept")
    changed = recorded(registration, R.ACCEPTED, now)
    return changed, RegistrationAccepted(registration_id=registration.id, organization_id=registration.organization_id)


def reassign(
    registration: Registration, merger: OrganizationsMerged
) -> tuple[Registration, RegistrationReassigned] | None:
    """Move an open registration of a merged organisation to its successor; None if it does not concern it."""
    return common.reassign(registration, merger, OPEN, RegistrationReassigned, "registration_id")


class SignPact(Command):
    cluster_id: Identifier
    year: Whole = Field(ge=2000, le=2100)
    signed_on: Day
    signatory_organization_ids: list[Identifier] = Field(min_length=1)
    commitments: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct(self) -> SignPact:
        if len(set(self.signatory_organization_ids)) != len(self.signatory_organization_ids):
            raise ValueError("each signatory signs once")
        return self


class EmulationPact(SignPact):
    model_config = ConfigDict(extra="ignore")

    id: str


def pact_id(cluster_id: str, year: int) -> str:
    return f"{cluster_id}.{year}"


def sign(command: SignPact) -> tuple[EmulationPact, EmulationPactSigned]:
    pact = EmulationPact(**command.model_dump(), id=pact_id(command.cluster_id, command.year))
    return pact, announce(EmulationPactSigned, pact, pact_id=pact.id)
