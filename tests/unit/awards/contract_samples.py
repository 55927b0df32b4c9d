"""Samples of awards' council-session and rule-set events, for the shared contract tests."""

from __future__ import annotations

SAMPLES: dict[str, dict[str, object]] = {
    "tdkt.awards.council_session.opened.v1": {
        "session_id": "phien-2026-01",
        "council_id": "hd-tdkt-thai-nguyen",
        "held_on": "2026-01-05",
        "members": ["uv-01", "uv-02", "uv-03"],
        "attendees": ["uv-01", "uv-02"],
        "agenda": ["n-1"],
    },
    "tdkt.awards.council_session.ballot_cast.v1": {
        "session_id": "phien-2026-01",
        "nomination_id": "n-1",
        "voter_id": "uv-03",
        "written": True,
    },
    "tdkt.awards.council_session.closed.v1": {
        "session_id": "phien-2026-01",
        "council_id": "hd-tdkt-thai-nguyen",
        "held_on": "2026-01-05",
        "members_total": 3,
        "attendees_total": 2,
        "results": [
            {
                "nomination_id": "n-1",
                "award_code": "CSTD_TINH",
                "nominee_id": "p-1",
                "members_total": 3,
                "votes_cast": 3,
                "votes_yes": 3,
                "threshold_percent": 90.0,
                "threshold_numerator": 9,
                "threshold_denominator": 10,
                "passed": True,
            }
        ],
    },
    "tdkt.awards.rule_set.published.v1": {
        "rule_set_id": "VN-2026-01",
        "name": "Bộ quy tắc 2026",
        "layer": "NATIONAL",
        "valid_from": "2026-01-01",
        "extends": "VN-2025-D152",
        "instruments": ["Nghị định thử nghiệm"],
    },
}
