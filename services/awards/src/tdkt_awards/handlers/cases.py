"""The registry's cases as awards consumes them: kept on the subject's records, then the holds they put on its
open dossiers (every one, read in batches) and on those of the collectives a person is a member of where the award
reads the members' discipline, and their release when the case ends, the verdict re-run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tdkt_awards.domain import holds
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.domain.eligibility import Evaluation, members_cases_hold
from tdkt_awards.domain.nominations import OPEN, Actor, Events, Nomination
from tdkt_awards.handlers import records, rule_sets
from tdkt_awards.store import Repositories
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.awards import NomineeKind
from tdkt_shared.contract.records import CaseOpened, CaseRecord
from tdkt_shared.kit import CommandContext, Loaded

ACTOR = "registry"
"""Who the audit names for a hold a case put or lifted (with the organisation handling the case)."""


def _who(data: CaseRecord) -> Actor:
    return Actor(actor=ACTOR, organization_id=data.handled_by_organization_id)


async def open_dossiers(repositories: Repositories, subject_id: str) -> list[Loaded[Nomination]]:
    """Every dossier not yet decided (or closed) that proposes `subject_id`."""
    query = {"nominees.nominee_id": subject_id, "status": {"$in": sorted(s.value for s in OPEN)}}
    return await repositories.nominations.find_all(query)


async def collectives_of_member(
    repositories: Repositories, catalogue: Catalogue, person_id: str, case_id: str, as_of: date
) -> list[str]:
    """The open dossiers of collectives `person_id` is a member of, as the engine counts members (the employment
    records on the year's end, following lineage), whose award is held by a member's case (`members_cases_hold`)."""
    person = await repositories.persons.get(person_id)
    if person is None:
        return []
    units = {e.organization_id for e in person.aggregate.employments}
    for unit in sorted(units):
        units.update(await repositories.directory.successors(unit))
    query = {
        "nominees.nominee_id": {"$in": sorted(units)},
        "nominees.kind": NomineeKind.COLLECTIVE.value,
        "status": {"$in": sorted(s.value for s in OPEN)},
    }
    held: list[str] = []
    for loaded in await repositories.nominations.find_all(query):
        n = loaded.aggregate
        rules = catalogue.rules_by_id(n.rule_set_id)
        if (
            members_cases_hold(rules, n.award_code)
            and case_id in (await records.judge(repositories, n, rules, as_of)).open_cases
        ):
            held.append(n.id)
    return held


async def on_case_opened(
    event: CloudEvent, data: CaseOpened, repositories: Repositories, catalogue: Catalogue | None = None
) -> bool:
    """Holds each open dossier of the case's subject and, for a person, of each collective it is a member of where
    the award reads the members' discipline (a pending case may end in one)."""
    changed = await records.on_case(event, data, repositories.records)
    ctx = CommandContext.caused_by(event, now=event.time)

    def hold(n: Nomination | None) -> tuple[Nomination, Events] | None:
        return None if n is None else holds.hold_for_cases(n, [data.case_id], _who(data), ctx.now)

    ids = [loaded.id for loaded in await open_dossiers(repositories, data.subject_id)]
    catalogue = catalogue or await rule_sets.published_catalogue(repositories)
    ids += await collectives_of_member(repositories, catalogue, data.subject_id, data.case_id, ctx.now.date())
    for nomination_id in dict.fromkeys(ids):
        changed = await repositories.nominations.apply_once(nomination_id, event, hold, ctx) or changed
    return changed


async def on_case_ended(
    event: CloudEvent, data: CaseRecord, repositories: Repositories, catalogue: Catalogue | None = None
) -> bool:
    """`case.concluded` or `case.withdrawn`: each dossier the case held returns to where it was; one back in an
    appraised state is judged again on the records as they now stand (the conclusion's discipline included)."""
    changed = await records.on_case(event, data, repositories.records)
    ctx = CommandContext.caused_by(event, now=event.time)
    for loaded in await repositories.nominations.find_all({"held_by_cases": data.case_id}):
        n = loaded.aggregate
        evaluations = None
        if holds.returns_to_appraised(n, data.case_id):
            catalogue = catalogue or await rule_sets.published_catalogue(repositories)
            rules = catalogue.rules_by_id(n.rule_set_id)
            evaluations = (await records.judge(repositories, n, rules, ctx.now.date())).evaluations
        changed = (
            await repositories.nominations.apply_once(loaded.id, event, _release(data, ctx, evaluations), ctx)
            or changed
        )
    return changed


def _release(
    data: CaseRecord, ctx: CommandContext, evaluations: list[Evaluation] | None
) -> Callable[[Nomination | None], tuple[Nomination, Events] | None]:
    def release(n: Nomination | None) -> tuple[Nomination, Events] | None:
        return None if n is None else holds.end_case(n, data.case_id, _who(data), ctx.now, evaluations)

    return release
