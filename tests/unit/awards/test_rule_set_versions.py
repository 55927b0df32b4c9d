"""Rule-set versions through the API: drafted, refused for a gap in dates, fixed, published, then used by new
evaluations while the ones made before keep the version they recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain.catalogue import RuleSet
from tdkt_awards.domain.rule_set_versions import validate
from tdkt_awards.handlers.rule_sets import published_catalogue
from tdkt_awards.store import COLLECTIONS, RULE_SETS, Repositories
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.awards import RuleSetPublished
from tdkt_shared.contract.records import InitiativeScope
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import snapshot
from tests.helpers import post_draft
from tests.unit.awards.records import initiative, recorded

ORG = "so-noi-vu-thai-nguyen"
WHO = {"actor": "chuyen-vien-ha", "organization_id": ORG}
OLD = "VN-2025-D152+THAI-NGUYEN-2025"
NEW = "VN-2026-01+THAI-NGUYEN-2025"


def successor(**changes: Any) -> dict[str, Any]:
    """A national set from 2026 that asks four consecutive CSTĐ cơ sở titles for CSTĐ cấp tỉnh, not three."""
    body: dict[str, Any] = {
        "id": "VN-2026-01",
        "name": "Bộ quy tắc thử nghiệm 2026",
        "layer": "NATIONAL",
        "valid_from": "2026-01-01",
        "extends": "VN-2025-D152",
        "instruments": ["Nghị định thử nghiệm"],
        "parameters": {"cstd_tinh_chain_years": 4},
        "citations": {"cstd_tinh": {"instrument": "Nghị định thử nghiệm", "article": "Điều 1", "confidence": "U"}},
    }
    body.update(changes)
    return body


async def cstd_tinh(client: httpx.AsyncClient, runtime: InMemoryRuntime, nid: str, person: str) -> dict[str, Any]:
    """A CSTĐ cấp tỉnh dossier for 2026 walked to its appraisal; the person holds CSTĐ cơ sở 2024 to 2026 and an
    initiative of provincial scope recognised in 2025 is on record."""
    await recorded(runtime, initiative(f"sk-{person}", person, scope=InitiativeScope.PROVINCE))
    grants = [
        {
            "recipient_id": person,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Nguyễn Thị Hà",
            "award_code": "CSTD_CO_SO",
            "year": y,
            "decision_number": f"{y}/QĐ",
            "decision_date": f"{y}-12-20" if y < 2026 else "2026-01-02",
        }
        for y in (2024, 2025, 2026)
    ]
    assert (await client.post("/grants/imports", json={"batch_id": f"h-{nid}", "grants": grants})).status_code == 201
    body = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "CSTD_TINH",
        "year": 2026,
        "territory": "thai-nguyen",
        "submitting_organization_id": ORG,
        "nominees": [
            {
                "nominee_id": person,
                "kind": "INDIVIDUAL",
                "name": "Nguyễn Thị Hà",
            }
        ],
        "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"],
    }
    r = await post_draft(client, body)
    assert r.status_code == 201, r.text
    version = r.json()["version"]
    for action in ("submit", "receive", "start-appraisal", "appraise"):
        r = await client.post(f"/nominations/{nid}/{action}", json={"version": version, **WHO})
        assert r.status_code == 200, r.text
        version = r.json()["version"]
    result: dict[str, Any] = r.json()
    return result


async def test_a_version_refused_for_a_gap_is_fixed_published_and_used_by_new_evaluations_only(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    old = await cstd_tinh(client, runtime, "n-old", "p-1")
    assert (old["status"], old["rule_set_id"], old["evaluations"][0]["rule_set_id"]) == ("ELIGIBLE", OLD, OLD)

    r = await client.post("/catalogue/rule-set-versions", json=successor(valid_to="2026-06-30"))
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.headers["Location"]) == ("DRAFT", "/catalogue/rule-set-versions/VN-2026-01")
    drafted = r.json()
    # a draft judges nothing
    assert (await client.get("/catalogue/rules", params={"on": "2026-03-01"})).json()["id"] == "VN-2025-D152"

    report = (await client.get("/catalogue/rule-set-versions/VN-2026-01/validation")).json()
    assert report["valid"] is False
    assert [(p["field"], p["code"]) for p in report["problems"]] == [("valid_to", "gap")]
    before = await snapshot(runtime, COLLECTIONS)
    r = await client.post("/catalogue/rule-set-versions/VN-2026-01/publish", json={"version": drafted["version"]})
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "invalid_rule_set", "valid_to"), r.text
    assert "lapse after 2026-06-30" in r.json()["detail"]
    assert await snapshot(runtime, COLLECTIONS) == before

    r = await client.put(
        "/catalogue/rule-set-versions/VN-2026-01", json={"version": drafted["version"], "rule_set": successor()}
    )
    assert r.status_code == 200, r.text
    fixed = r.json()
    assert (await client.get("/catalogue/rule-set-versions/VN-2026-01/validation")).json() == {
        "rule_set_id": "VN-2026-01",
        "valid": True,
        "problems": [],
    }
    r = await client.post("/catalogue/rule-set-versions/VN-2026-01/publish", json={"version": fixed["version"]})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["published_by"]["actor"]) == ("PUBLISHED", "dev-admin")
    [event] = runtime.store(RULE_SETS).events
    published = parse_data(event)
    assert isinstance(published, RuleSetPublished)
    assert (published.rule_set_id, published.valid_from.isoformat(), published.extends) == (
        "VN-2026-01",
        "2026-01-01",
        "VN-2025-D152",
    )

    # published: immutable
    r = await client.put(
        "/catalogue/rule-set-versions/VN-2026-01", json={"version": r.json()["version"], "rule_set": successor()}
    )
    assert (r.status_code, r.json()["error"]) == (409, "invalid_transition")

    # the open-ended 2025 set now ends where the new one starts
    assert (await client.get("/catalogue/rules", params={"on": "2025-12-31"})).json()["id"] == "VN-2025-D152"
    rules = (await client.get("/catalogue/rules", params={"on": "2026-01-01", "territory": "thai-nguyen"})).json()
    assert (rules["id"], rules["parameters"]["cstd_tinh_chain_years"]) == (NEW, 4)
    assert "VN-2026-01" in [s["id"] for s in (await client.get("/catalogue/rule-sets")).json()]

    new = await cstd_tinh(client, runtime, "n-new", "p-2")
    assert (new["status"], new["rule_set_id"], new["evaluations"][0]["rule_set_id"]) == ("INELIGIBLE", NEW, NEW)
    [chain] = [x for x in new["evaluations"][0]["results"] if x["rule"] == "chain"]
    assert (chain["passed"], chain["citation"]["instrument"]) == (False, "Nghị định thử nghiệm")

    kept = (await client.get("/nominations/n-old")).json()
    assert (kept["status"], kept["rule_set_id"], kept["evaluations"][0]["rule_set_id"]) == ("ELIGIBLE", OLD, OLD)


def historical(**changes: Any) -> dict[str, Any]:
    """Rules older than the shipped ones (Law 2003 amended 2005, Decree 121/2005), reduced here to the LĐTT title."""
    body: dict[str, Any] = {
        "id": "VN-2006-D121",
        "name": "Luật Thi đua, khen thưởng 2003 (sửa đổi 2005), Nghị định 121/2005/NĐ-CP",
        "layer": "NATIONAL",
        "valid_from": "2006-01-01",
        "valid_to": "2010-05-31",
        "parameters": {"individual_blocking_discipline": "REPRIMAND"},
        "citations": {
            "hold": {"instrument": "Nghị định 121/2005/NĐ-CP", "confidence": "U"},
            "ldtt": {"instrument": "Luật Thi đua, khen thưởng 2003", "confidence": "U"},
        },
        "award_types": [
            {
                "code": "LDTT",
                "name": "Lao động tiên tiến",
                "subject": "INDIVIDUAL",
                "level": "BASE",
                "deciding_authority": "HEAD_OF_AGENCY",
                "kind": "ANNUAL_MERIT",
                "bonus_multiple": 0.3,
                "counts_toward_chains": True,
                "vote_rule": {
                    "secret": False,
                    "base": "ATTENDEES",
                    "threshold": {"numerator": 1, "denominator": 2},
                    "inclusive": False,
                    "quorum": {"numerator": 1, "denominator": 2},
                    "citation": {"instrument": "Quy chế Hội đồng TĐKT cơ sở", "confidence": "U"},
                },
                "attachments": ["TO_TRINH"],
                "eligibility": [
                    {"rule": "no_open_hold", "citation": "hold"},
                    {"rule": "rating_at_least", "params": {"level": "GOOD"}, "citation": "ldtt"},
                    {
                        "rule": "no_discipline_in_year",
                        "params": {"min_level": "$individual_blocking_discipline"},
                        "citation": "ldtt",
                    },
                ],
            }
        ],
    }
    body.update(changes)
    return body


async def test_an_older_set_fills_history_once_it_meets_the_next_without_a_gap(client: httpx.AsyncClient) -> None:
    line = {
        "recipient_id": "p-7",
        "recipient_kind": "INDIVIDUAL",
        "recipient_name": "Lý Thị Mai",
        "award_code": "LDTT",
        "year": 2008,
        "decision_number": "12/QĐ",
        "decision_date": "2008-12-20",
    }
    r = await client.post("/grants/imports", json={"batch_id": "h-2008", "grants": [line]})
    assert (r.status_code, r.json()["error"]) == (422, "no_rule_set")

    drafted = (await client.post("/catalogue/rule-set-versions", json=historical(valid_to="2009-12-31"))).json()
    report = (await client.get("/catalogue/rule-set-versions/VN-2006-D121/validation")).json()
    assert [(p["field"], p["code"]) for p in report["problems"]] == [("valid_to", "gap")]
    assert "2010-01-01 to 2010-05-31" in report["problems"][0]["detail"]
    r = await client.put(
        "/catalogue/rule-set-versions/VN-2006-D121", json={"version": drafted["version"], "rule_set": historical()}
    )
    r = await client.post("/catalogue/rule-set-versions/VN-2006-D121/publish", json={"version": r.json()["version"]})
    assert r.status_code == 200, r.text

    r = await client.post("/grants/imports", json={"batch_id": "h-2008", "grants": [line]})
    assert r.status_code == 201, r.text
    assert r.json()["grants"][0]["rule_set_id"] == "VN-2006-D121"


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        (successor(valid_from="2025-07-01"), [("valid_from", "overlap")]),
        (historical(valid_to="2010-12-31"), [("valid_to", "overlap")]),
        (successor(extends="VN-1999"), [("extends", "unknown_extends")]),
        (successor(layer="PROVINCIAL", extends=None), [("territory", "layer")]),
        (
            successor(parameters={"ttldtt_ldtt_percent": 150, "cstd_tinh_chain_years": 0}),
            [("parameters.ttldtt_ldtt_percent", "out_of_range"), ("parameters.cstd_tinh_chain_years", "out_of_range")],
        ),
        (
            historical(
                award_types=[
                    {
                        **historical()["award_types"][0],
                        "eligibility": [
                            {"rule": "no_such_check", "citation": "hold"},
                            {"rule": "chain", "params": {"codes": ["LDTT"], "years": "$missing"}, "citation": "ldtt"},
                            {"rule": "no_open_hold", "citation": "nowhere"},
                        ],
                    }
                ]
            ),
            [
                ("award_types.0.eligibility.0.rule", "unknown_check"),
                ("award_types.0.eligibility.1.params.years", "unknown_parameter"),
                ("award_types.0.eligibility.2.citation", "unknown_citation"),
            ],
        ),
    ],
)
async def test_validation_names_each_problem(
    client: httpx.AsyncClient, body: dict[str, Any], problems: list[tuple[str, str]]
) -> None:
    assert (await client.post("/catalogue/rule-set-versions", json=body)).status_code == 201
    report = (await client.get(f"/catalogue/rule-set-versions/{body['id']}/validation")).json()
    assert [(p["field"], p["code"]) for p in report["problems"]] == problems


async def test_a_new_draft_cannot_reuse_a_published_id(client: httpx.AsyncClient) -> None:
    r = await client.post("/catalogue/rule-set-versions", json=successor(id="VN-2025-D152"))
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (409, "already_exists", "id")
    assert (await client.post("/catalogue/rule-set-versions", json=successor())).status_code == 201
    assert (await client.post("/catalogue/rule-set-versions", json=successor())).status_code == 409
    r = await client.post("/catalogue/rule-set-versions", json={**successor(), "quorum": "2/3"})
    assert (r.status_code, r.json()["field"]) == (422, "quorum")


@pytest.mark.parametrize("rule_set", default_catalogue().rule_sets, ids=lambda r: r.id)
def test_every_shipped_set_passes_the_validation_a_draft_must_pass(rule_set: RuleSet) -> None:
    assert validate(rule_set, default_catalogue()).problems == []


def test_the_shipped_sets_cover_every_day_from_mid_2010() -> None:
    catalogue = default_catalogue()
    assert [catalogue.rules_for(date(y, 12, 31)).id for y in (2010, 2013, 2014, 2017, 2018, 2023, 2024, 2025)] == [
        "VN-2010-D42",
        "VN-2010-D42",
        "VN-2014-D65",
        "VN-2014-D65",
        "VN-2018-D91",
        "VN-2018-D91",
        "VN-2024-D98",
        "VN-2025-D152",
    ]


async def test_a_consultation_opened_under_a_newer_set_follows_its_procedure(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    """Merit of 2025 is judged by the 2025 set; the consultation opened in 2026 runs for the working days of the
    set in force on the day it opens (`procedure_rules`: IN_FORCE_ON_STEP)."""
    national = (await client.get("/catalogue/awards/CSTD_TQ", params={"on": "2025-12-31"})).json()
    longer = {**national, "consultation": {**national["consultation"], "working_days": 15}}
    r = await client.post(
        "/catalogue/rule-set-versions", json=successor(parameters={}, citations={}, award_types=[longer])
    )
    assert r.status_code == 201, r.text
    assert (
        await client.post("/catalogue/rule-set-versions/VN-2026-01/publish", json={"version": 1})
    ).status_code == 200
    grants = [
        {
            "recipient_id": "p-3",
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Nguyễn Thị Hà",
            "award_code": "CSTD_TINH",
            "year": y,
            "decision_number": f"{y}/QĐ",
            "decision_date": f"{y}-12-20",
        }
        for y in (2022, 2025)
    ]
    assert (await client.post("/grants/imports", json={"batch_id": "h-tq", "grants": grants})).status_code == 201
    await recorded(runtime, initiative("sk-tq", "p-3", scope=InitiativeScope.NATIONAL))
    body = {
        "id": "n-tq",
        "kind": "ANNUAL_MERIT",
        "award_code": "CSTD_TQ",
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": ORG,
        "nominees": [
            {
                "nominee_id": "p-3",
                "kind": "INDIVIDUAL",
                "name": "Nguyễn Thị Hà",
            }
        ],
        "attachments": [
            "TO_TRINH",
            "BAO_CAO_THANH_TICH",
            "BIEN_BAN_BINH_XET",
            "CHUNG_NHAN_SANG_KIEN",
            "KET_QUA_BO_PHIEU_KIN",
        ],
    }
    version = (await post_draft(client, body)).json()["version"]
    for action in ("submit", "receive", "start-appraisal", "appraise"):
        r = await client.post(f"/nominations/n-tq/{action}", json={"version": version, **WHO})
        version = r.json()["version"]
    assert (r.json()["status"], r.json()["rule_set_id"]) == ("ELIGIBLE", OLD)
    r = await client.post(
        "/nominations/n-tq/consultation",
        json={"version": version, **WHO, "channel": "Báo Thái Nguyên", "start": "2026-02-09"},
    )
    assert r.status_code == 200, r.text
    # 15 working days from 9/2/2026 across Tết (10 would end on 27/2)
    assert (r.json()["consultation"]["working_days"], r.json()["consultation"]["end"]) == (15, "2026-03-06")
    assert r.json()["rule_set_id"] == OLD


async def test_a_provincial_layer_for_a_territory_without_one(client: httpx.AsyncClient) -> None:
    layer = {
        "id": "CAO-BANG-2026",
        "name": "Quy định tỉnh Cao Bằng",
        "layer": "PROVINCIAL",
        "territory": "cao-bang",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "parameters": {"ttldtt_ldtt_percent": 60},
    }
    before = (await client.get("/catalogue/rules", params={"on": "2026-03-01", "territory": "cao-bang"})).json()
    assert (before["id"], len(before["notes"])) == ("VN-2025-D152", 1)
    assert (await client.post("/catalogue/rule-set-versions", json=layer)).status_code == 201
    r = await client.post("/catalogue/rule-set-versions/CAO-BANG-2026/publish", json={"version": 1})
    assert r.status_code == 200, r.text
    after = (await client.get("/catalogue/rules", params={"on": "2026-03-01", "territory": "cao-bang"})).json()
    assert (after["id"], after["notes"], after["parameters"]["ttldtt_ldtt_percent"]) == (
        "VN-2025-D152+CAO-BANG-2026",
        [],
        60,
    )
    # the next layer of the same territory must start the day after this one ends
    late = {**layer, "id": "CAO-BANG-2027", "valid_from": "2027-03-01", "valid_to": None}
    assert (await client.post("/catalogue/rule-set-versions", json=late)).status_code == 201
    report = (await client.get("/catalogue/rule-set-versions/CAO-BANG-2027/validation")).json()
    assert [(p["field"], p["code"]) for p in report["problems"]] == [("valid_from", "gap")]
    # another territory's layers are another series
    other = {**late, "id": "HA-GIANG-2027", "territory": "ha-giang"}
    assert (await client.post("/catalogue/rule-set-versions", json=other)).status_code == 201
    assert (await client.get("/catalogue/rule-set-versions/HA-GIANG-2027/validation")).json()["valid"] is True


async def test_the_published_catalogue_is_built_once_per_set_of_published_versions(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    repositories = Repositories.of(runtime)
    assert await published_catalogue(repositories) is default_catalogue()
    layer: dict[str, Any] = {"id": "CAO-BANG-2026", "name": "Cao Bằng", "layer": "PROVINCIAL"}
    layer |= {"territory": "cao-bang", "valid_from": "2026-01-01", "parameters": {"ttldtt_ldtt_percent": 60}}
    assert (await client.post("/catalogue/rule-set-versions", json=layer)).status_code == 201
    assert (await client.post(f"/catalogue/rule-set-versions/{layer['id']}/publish", json={"version": 1})).is_success
    first = await published_catalogue(repositories)
    assert await published_catalogue(repositories) is first
    assert "CAO-BANG-2026" in {r.id for r in first.rule_sets}
    other = {**layer, "id": "HA-GIANG-2026", "territory": "ha-giang"}
    assert (await client.post("/catalogue/rule-set-versions", json=other)).status_code == 201
    assert (await client.post("/catalogue/rule-set-versions/HA-GIANG-2026/publish", json={"version": 1})).is_success
    second = await published_catalogue(repositories)
    assert second is not first
    assert {"CAO-BANG-2026", "HA-GIANG-2026"} <= {r.id for r in second.rule_sets}
