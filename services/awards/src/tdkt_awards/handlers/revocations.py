"""Hủy bỏ and its whole cascade: every open dossier that relied on the revoked grant is judged again at once, and
every grant already decided on its strength is flagged for the deciding authority's review (an event notify
routes). Every dependent is handled, read in batches: there is no cap."""

from __future__ import annotations

from dataclasses import dataclass, field

from tdkt_awards.domain import grants as grant_rules
from tdkt_awards.domain import nominations as workflow
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.domain.grants import Decision, Grant, RevokeGrant
from tdkt_awards.domain.nominations import OPEN, Actor, Nomination, Status
from tdkt_awards.handlers import decisions, records
from tdkt_awards.store import Repositories
from tdkt_shared.kit import CommandContext
from tdkt_shared.store import VersionConflict
from tdkt_shared.store.aggregates import Query


@dataclass
class Cascade:
    """What one revocation changed beyond the grant itself."""

    reevaluated: list[str] = field(default_factory=list)
    """Open dossiers judged again (one on hold keeps waiting, with its new verdict)."""
    flagged: list[str] = field(default_factory=list)
    """Decided grants flagged for review."""


async def revoke(
    repositories: Repositories,
    catalogue: Catalogue,
    grant_id: str,
    command: RevokeGrant,
    who: Actor,
    ctx: CommandContext,
) -> tuple[Decision, Cascade]:
    """Revoke one grant (its decision at `command.version`), then cascade to every dependent. The same revocation
    sent again (after a crash between the grant and its dependents) writes nothing new to the grant and finishes
    the cascade: each step of it is idempotent."""
    loaded = await decisions.decision_of_grant(repositories.decisions, grant_id)
    if grant_rules.revoked_by(loaded.aggregate.grant(grant_id), command):
        revoked = loaded.aggregate
    else:
        loaded.expect(command.version)
        revoked, event = grant_rules.revoke(loaded.aggregate, grant_id, command)
        await repositories.decisions.save(loaded, revoked, event, ctx)
    cascade = Cascade()
    grant = revoked.grant(grant_id)
    await _open_dossiers(repositories, catalogue, grant_id, who, ctx, cascade)
    await _decided_grants(repositories, catalogue, grant, ctx, cascade)
    return revoked, cascade


async def _ids(repositories: Repositories, query: Query) -> list[str]:
    """The matching dossiers' ids, read in batches before any changes (a change may move one out of the query)."""
    return [n.id for n in await repositories.nominations.find_all(query)]


async def _open_dossiers(
    repositories: Repositories, catalogue: Catalogue, grant_id: str, who: Actor, ctx: CommandContext, out: Cascade
) -> None:
    query = {"relied_on_grants": grant_id, "status": {"$in": sorted(s.value for s in OPEN)}}
    for nomination_id in await _ids(repositories, query):
        while True:
            loaded = await repositories.nominations.load(nomination_id)
            n = loaded.aggregate
            rules = catalogue.rules_by_id(n.rule_set_id)
            judged = (await records.judge(repositories, n, rules, ctx.now.date())).evaluations
            change = workflow.after_revocation(n, grant_id, who, ctx.now, judged)
            if change is None:
                break
            try:
                await repositories.nominations.save(loaded, *change, ctx)
            except VersionConflict:
                continue  # changed meanwhile: judge what it now is
            out.reevaluated.append(nomination_id)
            break


def _relied_on(n: Nomination, grant: Grant, revoked: Grant) -> bool:
    """Whether `grant` (from dossier `n`) stood on `revoked`: its nominee's verdict named it, or it is the
    recipient's own earlier grant."""
    named = any(
        revoked.grant_id in r.records for e in n.evaluations if e.nominee_id == grant.recipient_id for r in e.results
    )
    return named or revoked.recipient_id == grant.recipient_id


async def _decided_grants(
    repositories: Repositories, catalogue: Catalogue, revoked: Grant, ctx: CommandContext, out: Cascade
) -> None:
    query = {"relied_on_grants": revoked.grant_id, "status": Status.DECIDED.value}
    for nomination_id in await _ids(repositories, query):
        n = (await repositories.nominations.load(nomination_id)).aggregate
        if n.decision_id is None:
            continue
        authority = catalogue.rules_by_id(n.rule_set_id).award(n.award_code).deciding_authority
        while True:
            loaded = await repositories.decisions.load(n.decision_id)
            decision, events = loaded.aggregate, []
            flagged: list[str] = []
            for grant in loaded.aggregate.grants:
                if grant.nomination_id != n.id or not _relied_on(n, grant, revoked):
                    continue
                change = grant_rules.request_review(
                    decision, grant.grant_id, revoked, authority, n.submitting_organization_id, ctx.now.date()
                )
                if change is not None:
                    decision, event = change
                    events.append(event)
                    flagged.append(grant.grant_id)
            if not events:
                break
            try:
                await repositories.decisions.save(loaded, decision, events, ctx)
            except VersionConflict:
                continue
            out.flagged += flagged
            break
