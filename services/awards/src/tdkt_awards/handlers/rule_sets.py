"""The rule-set version aggregate: an administrator drafts a version (national, or a territory's provincial
layer), revises it, validates it against the published versions and publishes it. The catalogue every command
uses is the shipped seed plus the versions published here."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain import rule_set_versions as versions
from tdkt_awards.domain.catalogue import Catalogue, RuleSet
from tdkt_awards.domain.nominations import Actor
from tdkt_awards.domain.rule_set_versions import RuleSetVersion, Validation, VersionStatus
from tdkt_awards.store import Repositories
from tdkt_shared.kit import CommandContext, Loaded


async def published_catalogue(repositories: Repositories) -> Catalogue:
    """The seed and every version published through the API (built once per set of published versions)."""
    stored = await repositories.rule_sets.find_all({"status": VersionStatus.PUBLISHED.value})
    if not stored:
        return default_catalogue()
    key = tuple((v.id, v.version) for v in stored)
    last = _BUILT.get(repositories.rule_sets.store)
    if last is not None and last[0] == key:
        return last[1]
    built = default_catalogue().with_rule_sets([v.aggregate.rule_set for v in stored])
    _BUILT[repositories.rule_sets.store] = (key, built)
    return built


_BUILT: WeakKeyDictionary[object, tuple[tuple[tuple[str, int], ...], Catalogue]] = WeakKeyDictionary()
"""Per store, the catalogue last built and the versions it was built from (a stored version never changes)."""


async def draft(
    repositories: Repositories, rule_set: RuleSet, who: Actor, ctx: CommandContext
) -> Loaded[RuleSetVersion]:
    """A new draft; its id is new (409 when the seed or the store has it)."""
    seed_ids = {r.id for r in default_catalogue().rule_sets}
    return await repositories.rule_sets.add(*versions.draft(rule_set, seed_ids, who, ctx.now), ctx)


async def revise(
    repositories: Repositories, version_id: str, version: int, rule_set: RuleSet, who: Actor, ctx: CommandContext
) -> Loaded[RuleSetVersion]:
    loaded = await repositories.rule_sets.load(version_id, version)
    return await repositories.rule_sets.save(loaded, *versions.revise(loaded.aggregate, rule_set, who, ctx.now), ctx)


async def validation(repositories: Repositories, version_id: str) -> Validation:
    """What would stop the version from being published now (nothing, for one published already)."""
    loaded = await repositories.rule_sets.load(version_id)
    if loaded.aggregate.status is VersionStatus.PUBLISHED:
        return Validation(rule_set_id=version_id, valid=True)
    return versions.validate(loaded.aggregate.rule_set, await published_catalogue(repositories))


async def publish(
    repositories: Repositories, version_id: str, version: int, who: Actor, ctx: CommandContext
) -> Loaded[RuleSetVersion]:
    """Validate against the published versions, then publish (422 naming the first problem's field)."""
    loaded = await repositories.rule_sets.load(version_id, version)
    checked = versions.validate(loaded.aggregate.rule_set, await published_catalogue(repositories))
    published = versions.publish(loaded.aggregate, checked, who, ctx.now)
    return await repositories.rule_sets.save(loaded, *published, ctx)
