"""Rule-set versions an office maintains (phiên bản bộ quy tắc): drafted through the API, validated, published.

A published version never changes: evaluations, nominations and grants record the id of the version they used, and
rebuild its rules from that id. A later version of the same layer starts where it takes over; an open-ended earlier
version then ends the day before, without being rewritten. The catalogue shipped with the service
(`data/catalogue.json`) is the seed: its versions count as published.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from pydantic import Field

from tdkt_awards.domain.catalogue import Catalogue, EffectiveRules, RuleSet, RuleSetLayer, series
from tdkt_awards.domain.eligibility import RULES as CHECKS
from tdkt_awards.domain.nominations import Actor
from tdkt_shared.contract.awards import RuleSetPublished
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError, InvalidTransition
from tdkt_shared.kit.models import Value


class VersionStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


class RuleSetVersion(Value):
    id: str
    status: VersionStatus
    rule_set: RuleSet
    """The rules as last revised; once published they never change."""
    drafted_by: Actor
    """Who drafted it, or revised it last."""
    drafted_at: datetime
    published_by: Actor | None = None
    """None while it is a draft."""
    published_at: datetime | None = None


class Problem(Value):
    """One reason a draft cannot be published, naming the field at fault."""

    field: str
    code: str
    detail: str


class Validation(Value):
    rule_set_id: str
    valid: bool
    problems: list[Problem] = Field(default_factory=list)


Events = list[EventData]

PERCENT_SUFFIX = "_percent"
COUNT_SUFFIXES = ("_years", "_min_cstd")


def draft(rule_set: RuleSet, seed_ids: set[str], who: Actor, at: datetime) -> tuple[RuleSetVersion, Events]:
    if rule_set.id in seed_ids:
        raise InvalidTransition(f"rule set {rule_set.id} is published already", field="id", code="already_exists")
    return RuleSetVersion(
        id=rule_set.id, status=VersionStatus.DRAFT, rule_set=rule_set, drafted_by=who, drafted_at=at
    ), []


def revise(version: RuleSetVersion, rule_set: RuleSet, who: Actor, at: datetime) -> tuple[RuleSetVersion, Events]:
    """Replace a draft's content; a published version never changes."""
    if version.status is not VersionStatus.DRAFT:
        raise InvalidTransition(f"rule set {version.id} is published: it cannot change", field="status")
    if rule_set.id != version.id:
        raise DomainError(f"the body names {rule_set.id}, not {version.id}", field="id", code="id_mismatch")
    return version.model_copy(update={"rule_set": rule_set, "drafted_by": who, "drafted_at": at}), []


def publish(version: RuleSetVersion, validation: Validation, who: Actor, at: datetime) -> tuple[RuleSetVersion, Events]:
    if version.status is not VersionStatus.DRAFT:
        raise InvalidTransition(f"rule set {version.id} is published already", field="status")
    if not validation.valid:
        first = validation.problems[0]
        detail = "; ".join(f"{p.field}: {p.detail}" for p in validation.problems)
        raise DomainError(detail, field=first.field, code="invalid_rule_set")
    r = version.rule_set
    published = RuleSetPublished(
        rule_set_id=r.id,
        name=r.name,
        layer=r.layer.value,
        territory=r.territory,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        extends=r.extends,
        instruments=list(r.instruments),
    )
    return version.model_copy(update={"status": VersionStatus.PUBLISHED, "published_by": who, "published_at": at}), [
        published
    ]


# validation


def validate(draft: RuleSet, catalogue: Catalogue) -> Validation:
    """What stops `draft` from being published next to the published versions of `catalogue`: the layer's shape,
    the dates within its layer (no gap, no overlap), every award's rules resolving, thresholds in range."""
    others = [r for r in catalogue.rule_sets if r.id != draft.id]
    problems = [*_shape(draft, others), *_dates(draft, others)]
    if not any(p.code in ("unknown_extends", "layer") for p in problems):
        problems += _resolution(draft, catalogue.model_copy(update={"rule_sets": [*others, draft]}))
    problems += _ranges(draft)
    return Validation(rule_set_id=draft.id, valid=not problems, problems=problems)


def _shape(draft: RuleSet, others: list[RuleSet]) -> list[Problem]:
    found: list[Problem] = []
    if draft.layer is RuleSetLayer.NATIONAL and draft.territory is not None:
        found.append(Problem(field="territory", code="layer", detail="a national set has no territory"))
    if draft.layer is RuleSetLayer.PROVINCIAL:
        if draft.territory is None:
            found.append(Problem(field="territory", code="layer", detail="a provincial layer names its territory"))
        if draft.extends is not None:
            found.append(Problem(field="extends", code="layer", detail="a provincial layer extends no set"))
    if draft.extends is not None and not any(
        r.id == draft.extends and r.layer is RuleSetLayer.NATIONAL for r in others
    ):
        found.append(
            Problem(field="extends", code="unknown_extends", detail=f"no published national set {draft.extends}")
        )
    if draft.valid_to is not None and draft.valid_to < draft.valid_from:
        found.append(Problem(field="valid_to", code="dates", detail="valid_to is before valid_from"))
    return found


def _dates(draft: RuleSet, others: list[RuleSet]) -> list[Problem]:
    """Within the draft's layer (the national one, or its territory's provincial one) the versions follow one
    another: a version with an end must be followed the next day, never later (gap) nor earlier (overlap); two
    versions never start on the same day. The national layer never lapses: its last version is open-ended."""
    if draft.layer is RuleSetLayer.PROVINCIAL and draft.territory is None:
        return []
    ordered = series([*others, draft], draft.layer, draft.territory)
    found: list[Problem] = []
    for before, after in pairwise(ordered):
        if draft.id not in (before.id, after.id):
            continue
        field = "valid_from" if after.id == draft.id else "valid_to"
        if before.valid_from == after.valid_from:
            found.append(
                Problem(field="valid_from", code="overlap", detail=f"{before.id} also starts on {after.valid_from}")
            )
        elif before.valid_to is not None and before.valid_to >= after.valid_from:
            found.append(
                Problem(
                    field=field,
                    code="overlap",
                    detail=f"{before.id} runs to {before.valid_to}, {after.id} starts on {after.valid_from}",
                )
            )
        elif before.valid_to is not None and before.valid_to + timedelta(days=1) < after.valid_from:
            found.append(
                Problem(
                    field=field,
                    code="gap",
                    detail=f"no rules from {before.valid_to + timedelta(days=1)} to "
                    f"{after.valid_from - timedelta(days=1)} between {before.id} and {after.id}",
                )
            )
    last = ordered[-1]
    if draft.layer is RuleSetLayer.NATIONAL and last.id == draft.id and draft.valid_to is not None:
        found.append(
            Problem(
                field="valid_to",
                code="gap",
                detail=f"the national rules would lapse after {draft.valid_to}: the latest national set is open-ended",
            )
        )
    return found


def _effective(draft: RuleSet, catalogue: Catalogue) -> list[EffectiveRules]:
    """The rules the draft takes part in: itself (national), or itself over each national set it overlaps."""
    if draft.layer is RuleSetLayer.NATIONAL:
        return [catalogue.rules_by_id(draft.id)]
    national = series(catalogue.rule_sets, RuleSetLayer.NATIONAL, None)
    found = []
    for i, n in enumerate(national):
        ends = n.valid_to or (national[i + 1].valid_from - timedelta(days=1) if i + 1 < len(national) else None)
        if (ends is None or draft.valid_from <= ends) and (draft.valid_to is None or n.valid_from <= draft.valid_to):
            found.append(catalogue.rules_by_id(f"{n.id}+{draft.id}"))
    return found


def _field_of(draft: RuleSet, code: str, tail: str) -> str:
    for i, award in enumerate(draft.award_types):
        if award.code == code:
            return f"award_types.{i}.{tail}"
    return "award_types"


def _resolution(draft: RuleSet, catalogue: Catalogue) -> list[Problem]:
    """Every rule of every award resolves: a known check, its `$parameters` defined, its citation present."""
    found: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for rules in _effective(draft, catalogue):
        for code, award in rules.award_types.items():
            for j, spec in enumerate(award.eligibility):
                where = _field_of(draft, code, f"eligibility.{j}")
                issues = []
                if spec.rule not in CHECKS:
                    issues.append((f"{where}.rule", "unknown_check", f"{code}: no check named {spec.rule}"))
                for name, value in spec.params.items():
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str) and item.startswith("$") and item[1:] not in rules.parameters:
                            issues.append(
                                (
                                    f"{where}.params.{name}",
                                    "unknown_parameter",
                                    f"{code}: {rules.id} has no parameter {item[1:]}",
                                )
                            )
                if spec.citation not in rules.citations:
                    issues.append(
                        (f"{where}.citation", "unknown_citation", f"{code}: {rules.id} has no citation {spec.citation}")
                    )
                for field, problem, detail in issues:
                    if (field, detail) not in seen:
                        seen.add((field, detail))
                        found.append(Problem(field=field, code=problem, detail=detail))
    return found


def _ranges(draft: RuleSet) -> list[Problem]:
    """Percentages within 0–100, counts of years and titles at least 1; vote ratios are checked by their model."""
    found: list[Problem] = []
    for name, value in draft.parameters.items():
        if value is None or isinstance(value, bool):
            continue
        if name.endswith(PERCENT_SUFFIX) and not (isinstance(value, int | float) and 0 <= value <= 100):
            found.append(Problem(field=f"parameters.{name}", code="out_of_range", detail=f"{name} is a percentage"))
        if name.endswith(COUNT_SUFFIXES) and not (isinstance(value, int) and value >= 1):
            found.append(Problem(field=f"parameters.{name}", code="out_of_range", detail=f"{name} is a count, >= 1"))
    for i, award in enumerate(draft.award_types):
        codes = [a.code for a in draft.award_types]
        if codes.count(award.code) > 1:
            found.append(Problem(field=f"award_types.{i}.code", code="duplicate", detail=f"{award.code} twice"))
    return found
