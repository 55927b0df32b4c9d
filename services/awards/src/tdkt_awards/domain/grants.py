"""Decisions (quyết định khen thưởng), the grants they create, revocation (hủy bỏ) and imported history.

A decision record holds its grants; the grants are the source of truth for chains. An import of historical grants is
stored the same way, as a record of source IMPORT.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from tdkt_awards.domain.catalogue import AwardKind, Catalogue, EffectiveRules
from tdkt_awards.domain.eligibility import GrantFact
from tdkt_awards.domain.nominations import Nomination, Status
from tdkt_awards.domain.numbering import SYMBOL_PATTERN
from tdkt_shared.contract.awards import AwardGranted, AwardRevoked, GrantReviewRequested, NomineeKind, RevocationReason
from tdkt_shared.contract.text import Day, Flag, Identifier, Text, Whole
from tdkt_shared.errors import DomainError, InvalidTransition
from tdkt_shared.kit.carry import carried
from tdkt_shared.kit.models import Command, Value


class GrantStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"


class Revocation(Value):
    reason: RevocationReason
    decision_number: str
    """Số of the decision that revokes the grant (quyết định hủy bỏ)."""
    revoked_on: Day
    recover_artifact: Flag
    """The certificate or medal is to be handed back (thu hồi hiện vật)."""
    recover_amount: Whole
    """VND to be repaid: the grant's bonus when the money is recovered, else 0."""


class ReviewRequest(Value):
    """A grant flagged for review because a grant it relied on was revoked."""

    revoked_grant_id: str
    reason: RevocationReason
    requested_on: Day


class Grant(Value):
    grant_id: str
    recipient_id: str
    recipient_kind: NomineeKind
    recipient_name: str
    award_code: str
    award_kind: AwardKind
    year: Whole
    rule_set_id: str
    organization_id: str | None = None
    """Where the recipient was when it was granted."""
    decision_number: str
    decision_date: Day
    bonus_amount: Whole = 0
    """VND: the award's multiple of the base salary in force on the decision date (0 for an imported grant)."""
    nomination_id: str | None = None
    """The dossier it was decided on; None for an imported grant."""
    status: GrantStatus = GrantStatus.ACTIVE
    revocation: Revocation | None = None
    reviews_requested: list[ReviewRequest] = Field(default_factory=list)
    """Revoked grants this one relied on: each asks the deciding authority to review it (it stays ACTIVE)."""

    def fact(self) -> GrantFact:
        recorded = carried(self, GrantFact)  # the grant's id, recipient, award, year and organisation
        return GrantFact(**recorded, kind=self.award_kind, revoked=self.status is GrantStatus.REVOKED)


class DecisionSource(StrEnum):
    DECISION = "DECISION"
    IMPORT = "IMPORT"


class Decision(Value):
    id: str
    source: DecisionSource
    number: str
    date: Day
    signer_role: str
    signed_by: str | None = None
    """The leader who signed it in the platform (their token's `sub`); None when the TĐKT body entered a decision
    signed on paper, or for imported grants."""
    issuer_id: str | None = None
    """The issuing body whose register gave the number, when the platform numbered it."""
    legal_basis: str | None = None
    nomination_id: str | None = None
    base_salary: Whole = 0
    """Mức lương cơ sở in force on the decision date, VND (0 for an import)."""
    bonus_total: Whole = 0
    """The sum of its grants' bonuses, VND."""
    grants: list[Grant]

    def grant(self, grant_id: str) -> Grant:
        for g in self.grants:
            if g.grant_id == grant_id:
                return g
        raise DomainError(f"no grant {grant_id} in {self.id}", field="grant_id")

    def with_grant(self, changed: Grant) -> Decision:
        """The decision with `changed` in place of the grant of the same id."""
        grants = [changed if g.grant_id == changed.grant_id else g for g in self.grants]
        return self.model_copy(update={"grants": grants})


class DecideNomination(Command):
    """Command: the competent authority signs the decision for an approved nomination."""

    decision_id: Identifier
    number: Text | None = None
    """Số, ký hiệu as written on paper; when omitted, the next number of `issuer_id`'s register for the year,
    as `NN/QĐ-<issuer_symbol>`."""
    issuer_id: Identifier | None = None
    """The issuing body (cơ quan ban hành) whose register numbers the decision."""
    issuer_symbol: Annotated[str, Field(pattern=SYMBOL_PATTERN)] | None = None
    """Its abbreviation in the symbol, e.g. `UBND`."""
    date: Day
    signer_role: Text
    legal_basis: Text | None = None
    recipient_ids: list[Identifier] | None = None
    """Defaults to every nominee the council approved; must be a subset of them."""
    actor: Text | None = None
    """The token's `sub` if omitted; anyone else is refused (admins may record on someone's behalf)."""
    organization_id: Identifier | None = None
    """The token's `org` if omitted; likewise."""
    version: Whole


def bonus(multiple: float, base_salary: int) -> int:
    """Multiple of the base salary, rounded to the đồng."""
    return int((Decimal(str(multiple)) * base_salary).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _with_events(decision: Decision) -> tuple[Decision, list[AwardGranted]]:
    """The decision and an `award.granted` for each of its grants (`imported` for a batch of past grants)."""
    imported = decision.source is DecisionSource.IMPORT
    return decision, [
        AwardGranted(
            **carried(g, AwardGranted, "award_kind"),
            award_kind=g.award_kind.value,
            decision_id=decision.id,
            imported=imported,
        )
        for g in decision.grants
    ]


def decide(
    n: Nomination,
    command: DecideNomination,
    rules: EffectiveRules,
    catalogue: Catalogue,
    signed_by: str | None = None,
) -> tuple[Decision, list[AwardGranted]]:
    """The decision and its grants; the bonus uses the base salary in force on the decision date. `signed_by` is the
    leader who signs it in the platform, if it is a leader."""
    if n.status is not Status.APPROVED:
        raise InvalidTransition(f"cannot decide a nomination in {n.status.value}", field="status")
    approved = n.approved_nominee_ids
    chosen = approved if command.recipient_ids is None else command.recipient_ids
    outside = [r for r in chosen if r not in approved]
    if outside or not chosen:
        raise DomainError(f"recipients must be approved nominees: {outside or 'none given'}", field="recipient_ids")
    if command.number is None:
        raise DomainError("a decision needs its number, or an issuer to number it", field="number")
    award = rules.award(n.award_code)
    salary = catalogue.base_salary_on(command.date)
    amount = bonus(award.bonus_multiple, salary.amount)
    kind = {"TOPIC": AwardKind.TOPIC, "EXCEPTIONAL": AwardKind.EXCEPTIONAL}.get(n.kind.value, award.kind)
    grants = [
        Grant(
            grant_id=f"{command.decision_id}.{x.nominee_id}",
            recipient_id=x.nominee_id,
            recipient_kind=x.kind,
            recipient_name=x.name,
            award_code=n.award_code,
            award_kind=kind,
            year=n.year,
            rule_set_id=n.rule_set_id,
            organization_id=x.organization_id,
            decision_number=command.number,
            decision_date=command.date,
            bonus_amount=amount,
            nomination_id=n.id,
        )
        for x in n.nominees
        if x.nominee_id in chosen
    ]
    return _with_events(
        Decision(
            id=command.decision_id,
            source=DecisionSource.DECISION,
            **carried(command, Decision),  # its number, date, signer's role, issuer and legal basis
            signed_by=signed_by,
            nomination_id=n.id,
            base_salary=salary.amount,
            bonus_total=amount * len(grants),
            grants=grants,
        )
    )


class HistoricalGrant(Command):
    """One line of an import of past grants (CSV or JSON)."""

    recipient_id: Identifier
    recipient_kind: NomineeKind
    recipient_name: Text
    award_code: str
    year: Whole = Field(ge=1945, le=2100)
    """The year the award is for: the code must exist in the rules in force on 31 December of it."""
    decision_number: Text
    decision_date: Day
    award_kind: AwardKind | None = None
    """The award's kind in those rules when omitted."""
    organization_id: Identifier | None = None
    territory: Identifier | None = None
    """The province whose layer of rules applies with the national set; the national rules alone when omitted."""


def import_grants(
    batch_id: str, lines: list[HistoricalGrant], catalogue: Catalogue, imported_on: date
) -> tuple[Decision, list[AwardGranted]]:
    """Record past grants so chains can be judged from day one; each award code must exist in its year's rules."""
    if not lines:
        raise DomainError("nothing to import", field="grants")
    grants = []
    for i, line in enumerate(lines):
        try:
            rules = catalogue.rules_for(date(line.year, 12, 31), line.territory)
            award = rules.award(line.award_code)
        except DomainError as exc:
            raise DomainError(exc.detail, field=f"grants.{i}.award_code", code=exc.code) from exc
        # the line names the grant but for its id, its kind when omitted and the rule set of its year
        stated = line.model_dump(exclude={"territory", "award_kind"})
        kind = line.award_kind or award.kind
        grants.append(Grant(**stated, grant_id=f"{batch_id}.{i + 1}", award_kind=kind, rule_set_id=rules.id))
    return _with_events(
        Decision(
            id=batch_id,
            source=DecisionSource.IMPORT,
            number=f"IMPORT {batch_id}",
            date=imported_on,
            signer_role="IMPORT",
            grants=grants,
        )
    )


class RevokeGrant(Command):
    reason: RevocationReason
    decision_number: Text
    revoked_on: Day
    recover_artifact: Flag = True
    recover_money: Flag = True
    """Recover the bonus: the revocation records the grant's `bonus_amount` as owed."""
    version: Whole


def revoked_by(grant: Grant, command: RevokeGrant) -> bool:
    """Whether `grant` is revoked already by this very revocation (same decision, day and reason): a retry."""
    done = grant.revocation
    return (
        grant.status is GrantStatus.REVOKED
        and done is not None
        and (done.decision_number, done.revoked_on, done.reason)
        == (command.decision_number, command.revoked_on, command.reason)
    )


def revoke(decision: Decision, grant_id: str, command: RevokeGrant) -> tuple[Decision, AwardRevoked]:
    grant = decision.grant(grant_id)
    if grant.status is GrantStatus.REVOKED:
        raise InvalidTransition(f"grant {grant_id} is already revoked", field="grant_id")
    stated = command.model_dump(include={"reason", "decision_number", "revoked_on", "recover_artifact"})
    revocation = Revocation(**stated, recover_amount=grant.bonus_amount if command.recover_money else 0)
    revoked = grant.model_copy(update={"status": GrantStatus.REVOKED, "revocation": revocation})
    event = AwardRevoked(**carried(grant, AwardRevoked, *Revocation.model_fields), **revocation.model_dump())
    return decision.with_grant(revoked), event


def request_review(
    decision: Decision,
    grant_id: str,
    revoked: Grant,
    deciding_authority: str,
    submitting_organization_id: str | None,
    on: date,
) -> tuple[Decision, GrantReviewRequested] | None:
    """Flag an active grant that relied on `revoked` for the deciding authority's review (None if it is revoked
    itself or already flagged for it). The grant stays ACTIVE: revoking it is the authority's decision."""
    grant = decision.grant(grant_id)
    if grant.status is GrantStatus.REVOKED or any(
        r.revoked_grant_id == revoked.grant_id for r in grant.reviews_requested
    ):
        return None
    if revoked.revocation is None:
        raise DomainError(f"grant {revoked.grant_id} is not revoked", field="grant_id")
    request = ReviewRequest(revoked_grant_id=revoked.grant_id, reason=revoked.revocation.reason, requested_on=on)
    flagged = grant.model_copy(update={"reviews_requested": [*grant.reviews_requested, request]})
    updated = decision.with_grant(flagged)
    event = GrantReviewRequested(
        **carried(grant, GrantReviewRequested),
        decision_id=decision.id,
        signer_role=decision.signer_role,
        revoked_grant_id=revoked.grant_id,
        revocation_reason=revoked.revocation.reason,
        deciding_authority=deciding_authority,
        submitting_organization_id=submitting_organization_id,
    )
    return updated, event
