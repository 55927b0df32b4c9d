"""The AsyncAPI 3.0 document: generated from the registered models, committed current, one message per type."""

from __future__ import annotations

from pathlib import Path

import yaml

from tdkt_shared.contract import registered_types
from tdkt_shared.contract.asyncapi import document, render

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_document_is_current() -> None:
    committed = (ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8")
    assert committed == render(), "docs/asyncapi.yaml is stale: run `make events-doc`"


def test_every_type_is_a_message_on_its_service_channel_with_its_data_schema() -> None:
    doc = document()
    assert doc["asyncapi"] == "3.0.0"
    messages = doc["components"]["messages"]
    assert len(messages) == len(registered_types())
    merged = messages["registryOrganizationsMergedV1"]
    assert merged["name"] == "tdkt.registry.organizations.merged.v1"
    assert merged["contentType"] == "application/cloudevents+json"
    envelope, specific = merged["payload"]["allOf"]
    assert envelope == {"$ref": "#/components/schemas/CloudEvent"}
    assert specific["properties"]["type"] == {"const": "tdkt.registry.organizations.merged.v1"}
    data_schema = doc["components"]["schemas"][specific["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert set(data_schema["required"]) >= {"predecessor_ids", "successor_id", "effective_date"}
    assert doc["channels"]["registryEvents"]["address"] == "tdkt.registry.events"
    assert "registryOrganizationsMergedV1" in doc["channels"]["registryEvents"]["messages"]
    assert "awardsAwardGrantedV1" not in doc["channels"]["registryEvents"]["messages"]


def test_no_schema_refers_outside_the_document() -> None:
    text = render()
    assert "#/$defs/" not in text
    refs = {line.split("'")[1] for line in text.splitlines() if "$ref: '#/components/schemas/" in line}
    schemas = yaml.safe_load(text)["components"]["schemas"]
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= set(schemas)
