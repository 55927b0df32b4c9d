"""The award catalogue, versioned by rule sets with effective dates (bộ quy tắc theo văn bản pháp luật).

A national rule set (Law + Decree + Circular) is in force for a period; a provincial layer for a territory may sit on
top and override parameters or award types. Every threshold the law leaves unverified lives here as data.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator

from tdkt_shared.contract.awards import NomineeKind
from tdkt_shared.contract.text import Day, Flag, Identifier, Text, Whole
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.models import Value

RuleSetId = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,39}$", examples=["VN-2025-D152"])]
"""A rule-set version's id: upper-case letters, digits, dot, dash, underscore ("+" joins a national set and a
provincial layer in the id an evaluation records)."""
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9_]{0,59}$", examples=["CSTD_TINH"])]
"""An award, attachment, level or authority code."""
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["cstd_tinh_chain_years"])]
"""A parameter, citation or check name."""
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
Scalar = Flag | Whole | Number | Text
ParamValue = Scalar | Annotated[list[Scalar], Field(max_length=100)] | None
"""A rule-set parameter or a check's parameter: a flag, a number, a text (`$name` names a parameter of the rule
set), a list of them, or null (no value: e.g. no cap)."""


class CatalogueValue(Value):
    """Catalogue data: immutable, and a field it does not declare is refused (drafts come through the API)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Confidence(StrEnum):
    V = "V"
    """Verified: stated in the cited source."""
    P = "P"
    """Partly verified: a secondary source, an older version of the rule, or an inferred article number."""
    U = "U"
    """Unverified: kept as a parameter until checked."""


class AwardKind(StrEnum):
    ANNUAL_MERIT = "ANNUAL_MERIT"
    """Công trạng (periodic merit)."""
    TOPIC = "TOPIC"
    """Chuyên đề / theo đợt."""
    EXCEPTIONAL = "EXCEPTIONAL"
    """Đột xuất."""
    CONTRIBUTION = "CONTRIBUTION"
    """Cống hiến."""
    SERVICE_YEARS = "SERVICE_YEARS"
    """Niên hạn."""


class VoteBase(StrEnum):
    ALL_MEMBERS = "ALL_MEMBERS"
    ATTENDEES = "ATTENDEES"


class Citation(CatalogueValue):
    instrument: Text
    article: Text | None = None
    confidence: Confidence = Confidence.P
    """V verified, P partly verified, U unverified."""

    def __str__(self) -> str:
        return f"{self.instrument}{', ' + self.article if self.article else ''}"


class Ratio(CatalogueValue):
    """An exact fraction (a quorum of 2/3, a threshold of 9/10), stored as numerator and denominator so that 2 of 3,
    6 of 9 or 14 of 21 meet a 2/3 quorum exactly (a stored 66.67% refused them)."""

    numerator: Whole = Field(ge=0, le=1000)
    denominator: Whole = Field(ge=1, le=1000)

    @model_validator(mode="after")
    def _at_most_one(self) -> Ratio:
        if self.numerator > self.denominator:
            raise ValueError("a ratio is at most 1 (numerator <= denominator)")
        return self

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    @property
    def percent(self) -> float:
        return float(self.fraction * 100)

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


def reaches(count: int, base: int, ratio: Ratio, *, inclusive: bool = True) -> bool:
    """count/base >= ratio (or > when not inclusive), exactly; nothing reaches a ratio over an empty base."""
    if base <= 0:
        return False
    share = Fraction(count, base)
    return share >= ratio.fraction if inclusive else share > ratio.fraction


class VoteRule(CatalogueValue):
    """How the council decides on one nominee."""

    secret: Flag
    """Bỏ phiếu kín (secret ballot) or an open vote."""
    base: VoteBase
    threshold: Ratio
    """Share of the base that must vote yes."""
    inclusive: Flag = True
    """True: yes/base >= threshold; False: strictly more than the threshold."""
    quorum: Ratio
    """Share of the members seated on the session day who must attend in person for the session to decide."""
    written_votes: Flag = False
    """Absent members may vote in writing (phiếu ý kiến bằng văn bản), and their votes count."""
    citation: Citation

    @model_validator(mode="after")
    def _positive_threshold(self) -> VoteRule:
        if self.threshold.numerator == 0:
            raise ValueError("a vote threshold is more than 0")
        return self


class Consultation(CatalogueValue):
    """Công khai lấy ý kiến Nhân dân before proposing."""

    required: Flag = False
    working_days: Whole = Field(default=0, ge=0, le=90)
    citation: Citation | None = None


class RuleSpec(CatalogueValue):
    """One executable eligibility rule: `rule` names the check, `params` its parameters, `citation` its basis.

    `citation` is a key into the rule set's `citations`, so one award definition cites the instrument of whichever
    regime is in force.
    """

    rule: Key
    params: dict[Key, ParamValue] = Field(default_factory=dict, max_length=20)
    citation: Key


class AwardType(CatalogueValue):
    code: Code
    name: Text
    subject: NomineeKind
    level: Code
    deciding_authority: Code
    kind: AwardKind
    bonus_multiple: Number = Field(ge=0, le=1000)
    """Multiple of the base salary (mức lương cơ sở)."""
    bonus_citation: Citation | None = None
    """Where the multiple comes from, and how sure it is."""
    counts_toward_chains: Flag
    consultation: Consultation = Consultation()
    vote_rule: VoteRule
    attachments: list[Code] = Field(max_length=50)
    """Checklist of required attachments (Law Art. 84)."""
    eligibility: list[RuleSpec] = Field(default_factory=list, max_length=50)


class RuleSetLayer(StrEnum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"


class RuleSet(CatalogueValue):
    id: RuleSetId
    name: Text
    layer: RuleSetLayer
    territory: Identifier | None = None
    valid_from: Day
    valid_to: Day | None = None
    instruments: list[Text] = Field(default_factory=list, max_length=50)
    extends: RuleSetId | None = None
    """A national set builds on an earlier national set: what it does not say, the earlier one does."""
    parameters: dict[Key, ParamValue] = Field(default_factory=dict, max_length=300)
    citations: dict[Key, Citation] = Field(default_factory=dict, max_length=300)
    award_types: list[AwardType] = Field(default_factory=list, max_length=300)

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class BaseSalary(Value):
    """Mức lương cơ sở, dated reference data."""

    amount: Whole = Field(gt=0)
    valid_from: Day
    valid_to: Day | None = None
    legal_basis: str


class EffectiveRules(Value):
    """The national set in force on a day with the territory's provincial layer applied: what an evaluation uses."""

    id: str
    """e.g. `VN-2025-D152+THAI-NGUYEN-2025`; recorded on every evaluation and decision."""
    instruments: list[str]
    parameters: dict[str, Any]
    citations: dict[str, Citation]
    award_types: dict[str, AwardType]
    notes: list[str] = Field(default_factory=list)
    """Facts about how these rules were chosen that a reader of a verdict should see (a missing provincial layer)."""

    def citation(self, key: str) -> Citation:
        found = self.citations.get(key)
        if found is None:
            raise DomainError(f"rule set {self.id} has no citation {key}", code="missing_citation")
        return found

    def award(self, code: str) -> AwardType:
        award = self.award_types.get(code)
        if award is None:
            raise DomainError(f"award {code} is not in rule set {self.id}", field="award_code", code="unknown_award")
        return award

    def param(self, name: str) -> Any:
        if name not in self.parameters:
            raise DomainError(f"rule set {self.id} has no parameter {name}", code="missing_parameter")
        return self.parameters[name]


def series(rule_sets: list[RuleSet], layer: RuleSetLayer, territory: str | None) -> list[RuleSet]:
    """The versions of one layer (the national one, or one territory's provincial one), oldest first."""
    return sorted(
        (r for r in rule_sets if r.layer is layer and (layer is RuleSetLayer.NATIONAL or r.territory == territory)),
        key=lambda r: r.valid_from,
    )


def in_force(rule_sets: list[RuleSet], layer: RuleSetLayer, territory: str | None, day: date) -> RuleSet | None:
    """The latest version of the layer started by `day`, unless it ended before `day`."""
    started = [r for r in series(rule_sets, layer, territory) if r.valid_from <= day]
    if not started or (started[-1].valid_to is not None and started[-1].valid_to < day):
        return None
    return started[-1]


class Catalogue(Value):
    rule_sets: list[RuleSet]
    base_salaries: list[BaseSalary]

    def _by_id(self, rule_set_id: str) -> RuleSet:
        for rule_set in self.rule_sets:
            if rule_set.id == rule_set_id:
                return rule_set
        raise DomainError(f"unknown rule set {rule_set_id}", field="rule_set_id", code="unknown_rule_set")

    def _resolved(self, rule_set: RuleSet) -> EffectiveRules:
        """A set after applying what it extends (later values win)."""
        if rule_set.extends is None:
            return self._apply(
                EffectiveRules(id="", instruments=[], parameters={}, citations={}, award_types={}), rule_set
            )
        return self._apply(self._resolved(self._by_id(rule_set.extends)), rule_set)

    @staticmethod
    def _apply(base: EffectiveRules, layer: RuleSet) -> EffectiveRules:
        return EffectiveRules(
            id=f"{base.id}+{layer.id}" if base.id and layer.layer is RuleSetLayer.PROVINCIAL else layer.id,
            instruments=[*base.instruments, *layer.instruments],
            parameters={**base.parameters, **layer.parameters},
            citations={**base.citations, **layer.citations},
            award_types={**base.award_types, **{a.code: a for a in layer.award_types}},
        )

    def _compose(self, national: RuleSet, layer: RuleSet | None) -> EffectiveRules:
        rules = self._resolved(national)
        return rules if layer is None else self._apply(rules, layer)

    def rules_for(self, day: date, territory: str | None = None) -> EffectiveRules:
        """The rules in force on `day` (the period judged) for `territory`: national set + provincial layer.

        Within a layer a version is in force from its `valid_from` until the next version starts (or its own
        `valid_to`): publishing a successor closes an open-ended version without changing it."""
        national = in_force(self.rule_sets, RuleSetLayer.NATIONAL, None, day)
        if national is None:
            raise DomainError(f"no national rule set in force on {day}", field="period", code="no_rule_set")
        layer = None if territory is None else in_force(self.rule_sets, RuleSetLayer.PROVINCIAL, territory, day)
        rules = self._compose(national, layer)
        if territory is None or layer is not None:
            return rules
        # the territory has no provincial layer that day: the national rules apply alone, said out loud, or the
        # rule set refuses to judge without one (`missing_provincial_layer`)
        if rules.parameters.get("missing_provincial_layer") == "REFUSE":
            raise DomainError(
                f"{territory} has no provincial layer in force on {day}", field="territory", code="no_provincial_layer"
            )
        note = f"{territory} has no provincial layer in force on {day}: the national rules {rules.id} apply alone"
        return rules.model_copy(update={"notes": [*rules.notes, note]})

    def rules_for_step(self, recorded_id: str, day: date, territory: str | None) -> EffectiveRules:
        """The rules a procedural step (a hold, a council vote, a consultation) follows on `day`: those in force that
        day when their `procedure_rules` says IN_FORCE_ON_STEP, else the rules recorded for the period judged.
        Merit is always judged by the recorded rules of the period."""
        recorded = self.rules_by_id(recorded_id)
        try:
            current = self.rules_for(day, territory)
        except DomainError:
            return recorded
        return current if current.parameters.get("procedure_rules") == "IN_FORCE_ON_STEP" else recorded

    def with_rule_sets(self, published: list[RuleSet]) -> Catalogue:
        """This catalogue and the versions published since it shipped."""
        return Catalogue(rule_sets=[*self.rule_sets, *published], base_salaries=self.base_salaries)

    def rules_by_id(self, effective_id: str) -> EffectiveRules:
        """Rebuild the rules an evaluation recorded by their id (`NATIONAL[+PROVINCIAL]`)."""
        national_id, *layers = effective_id.split("+")
        return self._compose(self._by_id(national_id), self._by_id(layers[0]) if layers else None)

    def base_salary_on(self, day: date) -> BaseSalary:
        for salary in self.base_salaries:
            if salary.valid_from <= day and (salary.valid_to is None or day <= salary.valid_to):
                return salary
        raise DomainError(f"no base salary in force on {day}", field="date", code="no_base_salary")
