"""The query of a list endpoint from its optional filters."""

from __future__ import annotations

from tdkt_shared.kit.filters import where


def test_a_filter_left_out_matches_everything() -> None:
    assert where({"year": None, "organization_id": None}) == {}


def test_the_given_filters_are_kept_as_they_are() -> None:
    query = where({"year": 2026, "members.organization_id": "org-1", "status": None, "flag": False, "n": 0})
    assert query == {"year": 2026, "members.organization_id": "org-1", "flag": False, "n": 0}
