"""The awards README documents the shipped catalogue: every award type with its bonus source and confidence, and
every parameter the open legal questions turned into."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tdkt_awards.catalogue_data import default_catalogue

README = (Path(__file__).parents[3] / "services" / "awards" / "README.md").read_text(encoding="utf-8")
RULES = default_catalogue().rules_for(date(2025, 12, 31))
QUESTION_PARAMETERS = (
    "cstd_tq_title_step_years",
    "cstd_tinh_fresh_after",
    "cstd_tq_initiative_years",
    "procedure_rules",
    "ttldtt_own_rating",
    "ttldxs_own_rating",
    "ttldxs_prerequisite_titles",
    "ttldtt_complete_percent",
    "missing_provincial_layer",
    "cstd_co_so_initiative_required",
)


@pytest.mark.parametrize("code", sorted(RULES.award_types))
def test_each_award_type_is_listed_with_its_bonus_source(code: str) -> None:
    award = RULES.award(code)
    [row] = [line for line in README.splitlines() if line.startswith(f"| `{code}` |")]
    cited = award.bonus_citation
    assert f"| {award.bonus_multiple:g} |" in row
    assert row.endswith(f"| {cited.confidence.value if cited else 'U'} |")
    if cited:
        assert str(cited) in row


@pytest.mark.parametrize("name", QUESTION_PARAMETERS)
def test_each_question_is_a_parameter_documented_with_its_source(name: str) -> None:
    assert name in RULES.parameters
    assert f"`{name}`" in README


def test_every_bonus_multiple_is_cited() -> None:
    assert [code for code, award in RULES.award_types.items() if award.bonus_citation is None] == []
