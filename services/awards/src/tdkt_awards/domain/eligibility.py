"""The eligibility engine (xét điều kiện): pure functions from facts and rules to an explained verdict.

Each rule named in an award type's `eligibility` list is a function here. It returns pass or fail with the legal
citation, the facts it used and a plain explanation. Ratios and chains are computed from grants, ratings and
discipline records; nothing is typed in.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from pydantic import Field

from tdkt_awards.domain.catalogue import AwardKind, Catalogue, Citation, EffectiveRules, RuleSpec
from tdkt_shared.contract.awards import NomineeKind
from tdkt_shared.contract.text import Day, Flag, Whole
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.directory import Predecessor
from tdkt_shared.kit.models import Value


class Rating(StrEnum):
    """Annual rating of a member (xếp loại chất lượng)."""

    EXCELLENT = "EXCELLENT"
    """Hoàn thành xuất sắc nhiệm vụ."""
    GOOD = "GOOD"
    """Hoàn thành tốt nhiệm vụ."""
    COMPLETED = "COMPLETED"
    """Hoàn thành nhiệm vụ."""
    NOT_COMPLETED = "NOT_COMPLETED"


RATING_ORDER = {Rating.NOT_COMPLETED: 0, Rating.COMPLETED: 1, Rating.GOOD: 2, Rating.EXCELLENT: 3}


class DisciplineLevel(IntEnum):
    REPRIMAND = 1
    """Khiển trách."""
    WARNING = 2
    """Cảnh cáo."""
    SALARY_DOWNGRADE = 3
    DEMOTION = 4
    REMOVAL = 5
    DISMISSAL = 6


class InitiativeScope(IntEnum):
    BASE = 1
    PROVINCE = 2
    NATIONAL = 3


class HoldReason(StrEnum):
    DISCIPLINE = "DISCIPLINE"
    INVESTIGATION = "INVESTIGATION"
    INSPECTION = "INSPECTION"
    COMPLAINT = "COMPLAINT"
    PRESS_ALLEGATION = "PRESS_ALLEGATION"
    DENUNCIATION = "DENUNCIATION"


class GrantFact(Value):
    """A grant as the engine sees it (the grant record is the source of truth)."""

    grant_id: str
    recipient_id: str
    award_code: str
    year: Whole
    kind: AwardKind = AwardKind.ANNUAL_MERIT
    organization_id: str | None = None
    """Where the recipient was when it was granted (informative: chains follow the person)."""
    revoked: Flag = False


class RatingFact(Value):
    year: Whole
    rating: Rating
    record_id: str | None = None
    """The registry's assessment it comes from (None: declared)."""


class DisciplineFact(Value):
    level: DisciplineLevel
    start: Day
    end: Day
    """Last day of the discipline period."""
    record_id: str | None = None
    """The registry's case it comes from (None: declared)."""

    def touches_year(self, year: int) -> bool:
        return self.start <= date(year, 12, 31) and self.end >= date(year, 1, 1)


class HoldFact(Value):
    reason: HoldReason
    opened: Day
    closed: Day | None = None
    record_id: str | None = None
    """The registry's case it comes from (None: declared)."""

    def open_on(self, day: date) -> bool:
        return self.opened <= day and (self.closed is None or day < self.closed)


class InitiativeFact(Value):
    initiative_id: str
    scope: InitiativeScope
    recognized_on: Day


class MemberFacts(Value):
    person_id: str
    ratings: list[RatingFact] = Field(default_factory=list)
    grants: list[GrantFact] = Field(default_factory=list)
    disciplines: list[DisciplineFact] = Field(default_factory=list)


class NomineeFacts(Value):
    """Everything the engine may look at for one nominee."""

    nominee_id: str
    kind: NomineeKind
    grants: list[GrantFact] = Field(default_factory=list)
    ratings: list[RatingFact] = Field(default_factory=list)
    disciplines: list[DisciplineFact] = Field(default_factory=list)
    holds: list[HoldFact] = Field(default_factory=list)
    member_holds: list[HoldFact] = Field(default_factory=list)
    """A collective's members' cases (from the records): open ones hold its dossier where `members_cases_hold`."""
    initiatives: list[InitiativeFact] = Field(default_factory=list)
    predecessors: list[Predecessor] = Field(default_factory=list)
    members: list[MemberFacts] = Field(default_factory=list)


class RuleResult(Value):
    rule: str
    passed: Flag
    citation: Citation
    facts: dict[str, Any]
    explanation: str
    records: list[str] = Field(default_factory=list)
    """The ids of the records (grants, cases, assessments, initiatives, members) the rule used."""


class DeclarationWarning(Value):
    """A fact the proposing unit declared that the record does not bear out: shown beside the record, never used."""

    nominee_id: str
    field: str
    declared: Any
    recorded: Any
    detail: str


class Evaluation(Value):
    """EligibilityEvaluation: the verdict, the rule set it used and every rule's result."""

    nominee_id: str
    award_code: str
    year: Whole
    rule_set_id: str
    evaluated_on: Day
    eligible: Flag
    results: list[RuleResult]
    warnings: list[DeclarationWarning] = Field(default_factory=list)
    """Where the dossier's declaration differs from the records the verdict used."""
    notes: list[str] = Field(default_factory=list)
    """What the rules in force said about themselves, e.g. that the territory has no provincial layer."""

    @property
    def failed_rules(self) -> list[str]:
        return [r.rule for r in self.results if not r.passed]


@dataclass(frozen=True, slots=True)
class Context:
    """What one rule looks at (internal: built once per rule judged, so a plain slotted dataclass)."""

    facts: NomineeFacts
    year: Whole
    as_of: Day
    rules: EffectiveRules
    params: dict[str, Any]


Check = Callable[[Context], tuple[bool, dict[str, Any], str]]


def _resolve(value: Any, rules: EffectiveRules) -> Any:
    """`$name` refers to a rule-set parameter, so a provincial layer can change it."""
    if isinstance(value, str) and value.startswith("$"):
        return rules.param(value[1:])
    return value


def _counts(grant: GrantFact, rules: EffectiveRules) -> bool:
    """Topic and exceptional grants, and revoked ones, never count toward chains (Decree 152/2025)."""
    if grant.revoked or grant.kind.value in rules.param("non_chain_kinds"):
        return False
    award = rules.award_types.get(grant.award_code)
    return award is None or award.counts_toward_chains


def chain_window_start(
    disciplines: Sequence[DisciplineFact], as_of: date, min_level: DisciplineLevel = DisciplineLevel.REPRIMAND
) -> date | None:
    """Achievements count from the day after the latest discipline period at `min_level` or above that has begun by
    `as_of`, whether it has ended or still runs (a running one puts the start after `as_of`: nothing counts yet)."""
    begun = [d.end for d in disciplines if d.start <= as_of and d.level >= min_level]
    return max(begun) + timedelta(days=1) if begun else None


def years_under_discipline(
    disciplines: Sequence[DisciplineFact], as_of: date, min_level: DisciplineLevel, years: Sequence[int]
) -> list[int]:
    """Of `years`, those a discipline period at `min_level` or above (begun by `as_of`) covers, ended or not."""
    hit = [d for d in disciplines if d.start <= as_of and d.level >= min_level]
    return sorted({y for y in years for d in hit if d.touches_year(y)})


def _own_grants(ctx: Context) -> list[GrantFact]:
    """The nominee's grants, plus its predecessors' up to the merger when the rule set says history follows."""
    facts = ctx.facts
    grants = [g for g in facts.grants if g.recipient_id == facts.nominee_id]
    if facts.kind is NomineeKind.COLLECTIVE and ctx.rules.param("collective_chain_follows_mergers"):
        for pred in facts.predecessors:
            grants += [g for g in facts.grants if g.recipient_id == pred.organization_id and g.year <= pred.until.year]
    return grants


def _chain(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    """`years` consecutive titles ending in the period. `step` (default 1) is the distance between consecutive ones:
    3 when each title closes a three-year cycle (CSTĐ cấp tỉnh for CSTĐ toàn quốc). With `fresh_after` (award
    codes), titles up to the latest earlier grant of those codes are spent: each counts toward one of them only."""
    codes = set(ctx.params["codes"])
    needed = int(ctx.params["years"])
    step = int(ctx.params.get("step") or 1)
    spent_codes = set(ctx.params.get("fresh_after") or [])
    level = DisciplineLevel[str(ctx.params.get("min_discipline_level", DisciplineLevel.REPRIMAND.name))]
    start = chain_window_start(ctx.facts.disciplines, ctx.as_of, level)
    covered = years_under_discipline(
        ctx.facts.disciplines, ctx.as_of, level, range(ctx.year - (needed - 1) * step, ctx.year + 1)
    )
    spent_until = max(
        (g.year for g in _own_grants(ctx) if g.award_code in spent_codes and not g.revoked and g.year < ctx.year),
        default=None,
    )
    counting = [
        g
        for g in _own_grants(ctx)
        if g.award_code in codes
        and _counts(g, ctx.rules)
        and (start is None or date(g.year, 1, 1) >= start)
        and (spent_until is None or g.year > spent_until)
    ]
    counted = sorted({g.year for g in counting})
    excluded = sorted(
        {(g.grant_id, g.year) for g in _own_grants(ctx) if g.award_code in codes and not _counts(g, ctx.rules)}
    )
    run = 0
    year = ctx.year
    while year in counted:
        run += 1
        year -= step
    passed = run >= needed
    facts = {
        "codes": sorted(codes),
        "years_required": needed,
        "years_counted": counted,
        "counted_grants": sorted(
            g.grant_id
            for g in counting
            if g.year <= ctx.year and (ctx.year - g.year) % step == 0 and ctx.year - g.year < run * step
        ),
        "consecutive_ending_in_period": run,
        "excluded_grants": [gid for gid, _ in excluded],
        "window_start": start.isoformat() if start else None,
        "years_under_discipline": covered,
        "min_discipline_level": level.name,
        "predecessors": [p.organization_id for p in ctx.facts.predecessors],
        "step_years": step,
        "spent_until": spent_until,
    }
    explanation = (
        f"{run} consecutive {'year(s)' if step == 1 else f'{step}-year cycle(s)'} of {'/'.join(sorted(codes))} "
        f"ending in {ctx.year}; {needed} required"
        + (
            f"; titles up to {spent_until} already counted toward {'/'.join(sorted(spent_codes))}"
            if spent_until
            else ""
        )
        + (f"; only achievements from {start} count (after discipline)" if start else "")
        + (f"; discipline covers {', '.join(map(str, covered))}" if covered else "")
        + (f"; {len(excluded)} topic/exceptional or revoked grant(s) ignored" if excluded else "")
    )
    return passed, facts, explanation


def _initiative_scope(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    scope = InitiativeScope[str(ctx.params["scope"])]
    years = int(ctx.params.get("years", 1))
    first = ctx.year - years + 1
    found = [
        i.initiative_id
        for i in ctx.facts.initiatives
        if i.scope >= scope and first <= i.recognized_on.year <= ctx.year and i.recognized_on <= ctx.as_of
    ]
    return (
        bool(found),
        {"scope_required": scope.name, "from_year": first, "to_year": ctx.year, "initiatives": found},
        f"initiative recognised at {scope.name} scope or wider in {first}–{ctx.year}: "
        + (", ".join(found) if found else "none"),
    )


def _no_open_hold(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    open_holds = [h.reason.value for h in ctx.facts.holds if h.open_on(ctx.as_of)]
    return (
        not open_holds,
        {"open_holds": open_holds, "as_of": ctx.as_of.isoformat()},
        "no open discipline, inspection or complaint case"
        if not open_holds
        else f"open case(s) block any proposal: {', '.join(open_holds)}",
    )


def _rating_at_least(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    level = Rating(ctx.params["level"])
    ratings = [r.rating for r in ctx.facts.ratings if r.year == ctx.year]
    got = ratings[-1] if ratings else None
    passed = got is not None and RATING_ORDER[got] >= RATING_ORDER[level]
    return passed, {"required": level.value, "rating": got}, f"rating in {ctx.year}: {got or 'none'}; {level} needed"


def _no_discipline_in_year(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    level = DisciplineLevel[str(ctx.params["min_level"])]
    hits = [d.level.name for d in ctx.facts.disciplines if d.level >= level and d.touches_year(ctx.year)]
    return not hits, {"min_level": level.name, "disciplines": hits}, f"discipline at {level.name} or above: {hits}"


def _holds_title_in_year(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    codes = set(ctx.params["codes"] or [])
    if not codes:
        return True, {"codes": [], "grants": []}, "no prior title required"
    found = [g.grant_id for g in ctx.facts.grants if g.award_code in codes and g.year == ctx.year and not g.revoked]
    return bool(found), {"codes": sorted(codes), "grants": found}, f"holds {'/'.join(sorted(codes))} in {ctx.year}"


def _excellent_or_initiative(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    """Outstanding completion or an initiative (Law 06/2022); with `initiative_only` (the 2003/2013 law), the
    initiative is required whatever the rating."""
    scope = InitiativeScope[str(ctx.params["scope"])]
    initiative_only = bool(ctx.params.get("initiative_only") or False)
    excellent = any(r.year == ctx.year and r.rating is Rating.EXCELLENT for r in ctx.facts.ratings)
    initiatives = [
        i.initiative_id for i in ctx.facts.initiatives if i.scope >= scope and i.recognized_on.year == ctx.year
    ]
    passed = bool(initiatives) if initiative_only else excellent or bool(initiatives)
    wanted = (
        "a recognised initiative in the year"
        if initiative_only
        else ("outstanding completion of duties or a recognised initiative in the year")
    )
    return (
        passed,
        {"outstanding_completion": excellent, "initiatives": initiatives, "initiative_only": initiative_only},
        wanted + ("" if passed else ": not found"),
    )


def _member_has(member: MemberFacts, codes: set[str], year: int) -> bool:
    return any(g.award_code in codes and g.year == year and not g.revoked for g in member.grants)


def _members(ctx: Context) -> list[MemberFacts]:
    if not ctx.facts.members:
        raise DomainError(f"{ctx.facts.nominee_id} has no members on record", field="members", code="missing_facts")
    return ctx.facts.members


def _meets(share: float, percent: float, inclusive: bool) -> bool:
    return share >= percent if inclusive else share > percent


def _members_complete_duties(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    if ctx.params["percent"] is None:  # the rule set asks no share of members (Law Art. 28 for TTLĐTT)
        return True, {"required": None}, "no share of members completing their duties is required"
    members = _members(ctx)
    done = [
        m.person_id
        for m in members
        if any(r.year == ctx.year and RATING_ORDER[r.rating] >= RATING_ORDER[Rating.COMPLETED] for r in m.ratings)
    ]
    percent = float(ctx.params["percent"])
    share = 100 * len(done) / len(members)
    return (
        _meets(share, percent, True),
        {"members": len(members), "completing": len(done), "percent": round(share, 2), "required": percent},
        f"{len(done)} of {len(members)} members completed their duties ({share:.1f}%); {percent}% required",
    )


def _member_title_ratio(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    members = _members(ctx)
    codes = set(ctx.params["codes"])
    holders = [m.person_id for m in members if _member_has(m, codes, ctx.year)]
    percent = float(ctx.params["percent"])
    inclusive = bool(ctx.params["inclusive"])
    # compare exactly: holders/members against percent/100, without floating error at the boundary
    share_x100 = 100 * len(holders)
    passed = share_x100 >= percent * len(members) if inclusive else share_x100 > percent * len(members)
    share = share_x100 / len(members)
    return (
        passed,
        {
            "members": len(members),
            "holders": len(holders),
            "percent": round(share, 2),
            "required": percent,
            "inclusive": inclusive,
        },
        f"{len(holders)} of {len(members)} members hold Lao động tiên tiến or higher ({share:.1f}%); "
        f"{'at least' if inclusive else 'more than'} {percent}% required",
    )


def _member_title_count(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    members = _members(ctx)
    codes = set(ctx.params["codes"])
    holders = [m.person_id for m in members if _member_has(m, codes, ctx.year)]
    minimum = int(ctx.params["min"])
    return (
        len(holders) >= minimum,
        {"codes": sorted(codes), "holders": holders, "min": minimum},
        f"{len(holders)} member(s) hold {'/'.join(sorted(codes))}; at least {minimum} required",
    )


def _members_no_discipline(ctx: Context) -> tuple[bool, dict[str, Any], str]:
    level = DisciplineLevel[str(ctx.params["min_level"])]
    hit = sorted(
        m.person_id for m in ctx.facts.members for d in m.disciplines if d.level >= level and d.touches_year(ctx.year)
    )
    hit += [ctx.facts.nominee_id for d in ctx.facts.disciplines if d.level >= level and d.touches_year(ctx.year)]
    return (
        not hit,
        {"min_level": level.name, "disciplined": hit},
        f"nobody disciplined at {level.name} or above in {ctx.year}" if not hit else f"disciplined: {hit}",
    )


def members_cases_hold(rules: EffectiveRules, award_code: str) -> bool:
    """Whether an open case about a member holds a collective's dossier for `award_code`: its rules read the
    members' discipline (`members_no_discipline`), which a pending case may still end in, and the rule set says so
    (`held_by_members_cases`, from `members_cases_hold_collective`)."""
    award = rules.award_types.get(award_code)
    specs = award.eligibility if award else []
    return any(
        s.rule == "members_no_discipline" and _resolve(s.params.get("held_by_members_cases", False), rules) is True
        for s in specs
    )


RULES: dict[str, Check] = {
    "chain": _chain,
    "initiative_scope": _initiative_scope,
    "no_open_hold": _no_open_hold,
    "rating_at_least": _rating_at_least,
    "no_discipline_in_year": _no_discipline_in_year,
    "holds_title_in_year": _holds_title_in_year,
    "excellent_or_initiative": _excellent_or_initiative,
    "members_complete_duties": _members_complete_duties,
    "member_title_ratio": _member_title_ratio,
    "member_title_count": _member_title_count,
    "members_no_discipline": _members_no_discipline,
}


def _run(spec: RuleSpec, facts: NomineeFacts, year: int, as_of: date, rules: EffectiveRules) -> RuleResult:
    check = RULES.get(spec.rule)
    if check is None:
        raise DomainError(f"rule {spec.rule} is not implemented", code="unknown_rule")
    params = {k: _resolve(v, rules) for k, v in spec.params.items()}
    ctx = Context(facts=facts, year=year, as_of=as_of, rules=rules, params=params)
    passed, used, explanation = check(ctx)
    return RuleResult(
        rule=spec.rule,
        passed=passed,
        citation=rules.citation(spec.citation),
        facts=used,
        explanation=explanation,
        records=_records_used(spec.rule, ctx, used),
    )


def _records_used(rule: str, ctx: Context, used: dict[str, Any]) -> list[str]:
    """The ids of the records a rule looked at, so its explanation can name them."""
    facts, year = ctx.facts, ctx.year

    def rated(ratings: Sequence[RatingFact]) -> list[str]:
        return [r.record_id for r in ratings if r.year == year and r.record_id]

    def disciplined(disciplines: Sequence[DisciplineFact]) -> list[str]:
        return [d.record_id for d in disciplines if d.record_id and d.start <= ctx.as_of and d.touches_year(year)]

    found: list[str] = []
    if rule == "no_open_hold":
        found = [h.record_id for h in facts.holds if h.record_id and h.open_on(ctx.as_of)]
    elif rule == "rating_at_least":
        found = rated(facts.ratings)
    elif rule == "no_discipline_in_year":
        found = disciplined(facts.disciplines)
    elif rule == "chain":
        begun = [d.record_id for d in facts.disciplines if d.record_id and d.start <= ctx.as_of]
        found = [*used.get("counted_grants", []), *begun]
    elif rule in ("initiative_scope", "excellent_or_initiative"):
        found = [*used.get("initiatives", []), *(rated(facts.ratings) if rule == "excellent_or_initiative" else [])]
    elif rule == "holds_title_in_year":
        found = list(used.get("grants", []))
    elif rule.startswith("member"):
        for m in facts.members:
            found.append(m.person_id)
            found += rated(m.ratings) + disciplined(m.disciplines)
            found += [g.grant_id for g in m.grants if g.year == year]
        found += disciplined(facts.disciplines)
    return list(dict.fromkeys(found))


def evaluate(facts: NomineeFacts, award_code: str, year: int, as_of: date, rules: EffectiveRules) -> Evaluation:
    """Judge one nominee for one award for `year` under `rules` (the set in force for that year)."""
    award = rules.award(award_code)
    if award.subject is not facts.kind:
        raise DomainError(f"{award_code} is for {award.subject.value} nominees, not {facts.kind.value}", field="kind")
    results = [_run(spec, facts, year, as_of, rules) for spec in award.eligibility]
    return Evaluation(
        nominee_id=facts.nominee_id,
        award_code=award_code,
        year=year,
        rule_set_id=rules.id,
        evaluated_on=as_of,
        eligible=all(r.passed for r in results),
        results=results,
        notes=list(rules.notes),
    )


class EvaluationRequest(Value):
    """One line of a batch: who, for what, for which year, in which territory."""

    facts: NomineeFacts
    award_code: str
    year: Whole = Field(ge=1945, le=2100)
    territory: str | None = None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a batch that only allocates acyclic objects it keeps.

    Every verdict is kept until the batch returns, so each collection walks a growing heap for nothing: measured on
    100k nominees, the collector took half the batch's time. Reference counting still frees everything at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def evaluate_many(requests: Sequence[EvaluationRequest], catalogue: Catalogue, as_of: date) -> list[Evaluation]:
    """Batch form for benchmarks and bulk appraisal: each year is judged under the set in force at its end."""
    cache: dict[tuple[int, str | None], EffectiveRules] = {}
    out = []
    with _collector_paused():
        for request in requests:
            key = (request.year, request.territory)
            if key not in cache:
                cache[key] = catalogue.rules_for(date(request.year, 12, 31), request.territory)
            out.append(evaluate(request.facts, request.award_code, request.year, as_of, cache[key]))
    return out


def cstd_cap_respected(ldtt_count: int, cstd_count: int, rules: EffectiveRules) -> bool:
    """The optional cap of CSTĐ cơ sở relative to Lao động tiên tiến in a unit (None: no cap)."""
    cap = rules.parameters.get("cstd_co_so_cap_percent_of_ldtt")
    return cap is None or 100 * cstd_count <= float(cap) * ldtt_count
