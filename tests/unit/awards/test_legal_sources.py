"""Integrity of services/awards/docs/legal-sources.json, the machine-readable legal research of issue 21."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

SOURCES = Path(__file__).resolve().parents[3] / "services" / "awards" / "docs" / "legal-sources.json"
CONFIDENCES = {"V", "P", "U"}
CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
SUBJECTS = {"INDIVIDUAL", "COLLECTIVE", "INDIVIDUAL_OR_COLLECTIVE", "HOUSEHOLD"}


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SOURCES.read_text(encoding="utf-8"))
    return data


DOC = _load()
AWARDS: list[dict[str, Any]] = DOC["award_types"]
RULE_SETS: list[dict[str, Any]] = DOC["rule_sets"]
QUESTIONS: list[dict[str, Any]] = DOC["questions"]
RULE_SET_IDS = {rs["id"] for rs in RULE_SETS}


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def test_award_codes_are_unique_upper_snake_ascii() -> None:
    codes = [a["code"] for a in AWARDS]
    assert len(codes) == len(set(codes))
    assert all(CODE.match(code) and code.isascii() for code in codes), codes


@pytest.mark.parametrize("award", AWARDS, ids=lambda a: a["code"])
def test_award_type_is_complete(award: dict[str, Any]) -> None:
    assert award["name"].strip()
    assert award["subject"] in SUBJECTS
    assert award["level"].strip()
    assert award["deciding_authority"].strip()
    citation = award["citation"]
    assert citation["instrument"].strip()
    assert "article" in citation
    assert citation["article"] is None or citation["article"].strip()
    for key in ("confidence", "authority_confidence", "criteria_confidence"):
        assert award[key] in CONFIDENCES, key
    assert all(_is_url(u) for u in award["urls"])
    if award["confidence"] != "U":
        assert award["urls"], "a V or P fact names the page it was read on"
    for key in ("bonus_multiple_individual", "bonus_multiple_collective"):
        value = award[key]
        assert value is None or (isinstance(value, int | float) and value > 0), key
    if award["confidence"] != "U":
        assert award["bonus_multiple_individual"] is not None or award["bonus_multiple_collective"] is not None
    for past in award["bonus_history"]:
        assert past["rule_set"] in RULE_SET_IDS
        assert past["confidence"] in CONFIDENCES
        assert past["citation"]["instrument"].strip()
        assert all(_is_url(u) for u in past["urls"])


def test_rule_sets_follow_each_other_without_gaps_or_overlaps() -> None:
    ordered = sorted(RULE_SETS, key=lambda rs: _day(rs["valid_from"]))
    assert [rs["id"] for rs in ordered] == [rs["id"] for rs in RULE_SETS], "listed in date order"
    assert len(RULE_SET_IDS) == len(RULE_SETS)
    for before, after in pairwise(ordered):
        assert before["valid_to"] is not None, f"{before['id']} is open but not last"
        end = _day(before["valid_to"])
        assert end >= _day(before["valid_from"])
        assert _day(after["valid_from"]) == end + timedelta(days=1), (before["id"], after["id"])
    assert ordered[-1]["valid_to"] is None, "the current set is open-ended"
    assert DOC["current_rule_set"] == ordered[-1]["id"]


@pytest.mark.parametrize("rule_set", RULE_SETS, ids=lambda rs: rs["id"])
def test_rule_set_is_complete(rule_set: dict[str, Any]) -> None:
    assert rule_set["instruments"]
    assert rule_set["extends"] is None or rule_set["extends"] in RULE_SET_IDS
    assert set(rule_set["boundary_confidence"].values()) <= CONFIDENCES
    for name, parameter in rule_set["parameters"].items():
        assert parameter["confidence"] in CONFIDENCES, name
        assert parameter["basis"].strip(), name
        assert all(_is_url(u) for u in parameter["urls"]), name


def test_first_rule_set_extends_nothing_and_the_others_their_predecessor() -> None:
    assert RULE_SETS[0]["extends"] is None
    for before, after in pairwise(RULE_SETS):
        assert after["extends"] == before["id"]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["id"])
def test_question_is_answered(question: dict[str, Any]) -> None:
    assert question["question"].strip()
    assert question["answer"].strip()
    assert question["engine_action"].strip()
    assert question["confidence"] in CONFIDENCES
    assert question["citations"]
    for citation in question["citations"]:
        assert citation["instrument"].strip()
        assert citation["confidence"] in CONFIDENCES
        assert citation["url"] is None or _is_url(citation["url"])
    assert question["parameters"]
    for parameter in question["parameters"]:
        assert parameter["name"].strip()
        assert parameter["confidence"] in CONFIDENCES
        assert set(parameter["values"]) <= RULE_SET_IDS, parameter["name"]


def test_the_five_questions_of_the_brief_are_covered() -> None:
    ids = {q["id"] for q in QUESTIONS}
    for prefix in ("Q1_", "Q2_", "Q3_", "Q4A_", "Q4B_", "Q5_"):
        assert any(i.startswith(prefix) for i in ids), prefix
    assert len(ids) == len(QUESTIONS)
