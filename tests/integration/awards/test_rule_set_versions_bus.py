"""A rule-set version drafted, refused, fixed and published on FerretDB; its publication on the bus; a dossier
drafted after it is judged by it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tdkt_awards.consumers import TOPICS
from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_shared.contract import CloudEvent, parse_data, service_topic
from tdkt_shared.contract.awards import RuleSetPublished
from tdkt_shared.runtime import Runtime
from tests.helpers import post_draft, serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")


@pytest.fixture
async def awards(make_settings: SettingsFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings("awards", bus_consumer="aiokafka")
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, list(TOPICS))
    async with serve(AWARDS, Runtime(AWARDS, settings)) as client:  # an admin's token
        yield client


async def test_a_published_version_judges_new_dossiers(
    awards: httpx.AsyncClient, make_settings: SettingsFactory, run_id: str
) -> None:
    version_id = f"VN-2099-{run_id.upper()}"
    body: dict[str, Any] = {
        "id": version_id,
        "name": "Bộ quy tắc thử nghiệm",
        "layer": "NATIONAL",
        "valid_from": "2099-01-01",
        "valid_to": "2099-06-30",
        "extends": "VN-2025-D152",
        "parameters": {"cstd_tinh_chain_years": 4, "non_chain_kinds": ["TOPIC", "EXCEPTIONAL"]},
        "citations": {"cstd_tinh": {"instrument": "Nghị định thử nghiệm", "article": "Điều 1", "confidence": "U"}},
    }
    r = await awards.post("/catalogue/rule-set-versions", json=body)
    assert r.status_code == 201, r.text
    r = await awards.post(f"/catalogue/rule-set-versions/{version_id}/publish", json={"version": 1})
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "invalid_rule_set", "valid_to")
    r = await awards.put(
        f"/catalogue/rule-set-versions/{version_id}", json={"version": 1, "rule_set": {**body, "valid_to": None}}
    )
    assert r.status_code == 200, r.text
    stored = (await awards.get(f"/catalogue/rule-set-versions/{version_id}")).json()
    assert stored["rule_set"]["parameters"]["non_chain_kinds"] == ["TOPIC", "EXCEPTIONAL"]
    r = await awards.post(f"/catalogue/rule-set-versions/{version_id}/publish", json={"version": stored["version"]})
    assert (r.status_code, r.json()["status"]) == (200, "PUBLISHED"), r.text

    rules = (await awards.get("/catalogue/rules", params={"on": "2099-03-01", "territory": "thai-nguyen"})).json()
    assert (rules["id"], rules["parameters"]["cstd_tinh_chain_years"]) == (f"{version_id}+THAI-NGUYEN-2025", 4)
    draft = {
        "id": f"n-{run_id}",
        "kind": "ANNUAL_MERIT",
        "award_code": "CSTD_TINH",
        "year": 2099,
        "territory": "thai-nguyen",
        "submitting_organization_id": "so-noi-vu-thai-nguyen",
        "nominees": [{"nominee_id": f"p-{run_id}", "kind": "INDIVIDUAL", "name": "Hoàng Văn Nam"}],
    }
    r = await post_draft(awards, draft)
    assert (r.status_code, r.json()["rule_set_id"]) == (201, f"{version_id}+THAI-NGUYEN-2025"), r.text

    [record] = await wait_for_records(
        make_settings("awards").kafka_bootstrap_servers,
        service_topic("awards"),
        lambda r: r.key == version_id.encode() and json.loads(r.value)["type"] == RuleSetPublished.event_type,
    )
    published = parse_data(CloudEvent.model_validate_json(record.value))
    assert isinstance(published, RuleSetPublished)
    assert (published.valid_from.isoformat(), published.valid_to, published.extends) == (
        "2099-01-01",
        None,
        "VN-2025-D152",
    )
