"""What schemathesis found, pinned as plain examples so each stays fixed without the fuzzer."""

from __future__ import annotations

import pytest

from tdkt_registry.service import DEFINITION as REGISTRY
from tdkt_shared.auth import dev_headers
from tdkt_shared.runtime import InMemoryRuntime, create_app, definitions
from tests.helpers import serve


async def test_405_allow_names_every_method_of_the_path() -> None:
    async with serve(REGISTRY, InMemoryRuntime(REGISTRY)) as client:
        response = await client.options("/organizations")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
        assert response.json() == {"error": "method_not_allowed", "detail": "Method Not Allowed", "field": None}

        response = await client.request("TRACE", "/organizations/so-noi-vu/contact-point")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, PUT"


@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json; charset=utf-8", None])
async def test_a_body_that_is_not_utf8_is_a_documented_422(content_type: str | None) -> None:
    # was: 400 "There was an error parsing the body", which no operation documents
    headers = {"content-type": content_type} if content_type else {}
    async with serve(REGISTRY, InMemoryRuntime(REGISTRY)) as client:
        response = await client.post("/persons", content=b"\x0e\x19\xff", headers=headers)
        assert response.status_code == 422
        assert response.json() == {
            "error": "body_not_utf8",
            "detail": "the body is not UTF-8 encoded JSON",
            "field": None,
        }

        response = await client.post("/persons", content='{"full_name": "Nguyễn"'.encode(), headers=headers)
        assert response.status_code == 422
        assert response.json()["error"] == "validation_error"


@pytest.mark.parametrize("service", sorted(s for s in definitions() if s != "portal"))
def test_every_api_operation_documents_401_and_403(service: str) -> None:
    """The JSON APIs; the portal answers its pages in HTML (a sign-in redirect, an HTML 403: tests/unit/portal)."""
    definition = definitions()[service]
    spec = create_app(definition, InMemoryRuntime(definition)).openapi()
    undocumented = [
        f"{method.upper()} {path}: {code}"
        for path, operations in spec["paths"].items()
        if path not in ("/healthz", "/readyz", "/metrics")
        for method, operation in operations.items()
        for code in ("401", "403")
        if operation["responses"].get(code, {}).get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/ErrorBody"}
    ]
    assert not undocumented


@pytest.mark.parametrize("year", [0, False, -1, 10_000])
async def test_eligibility_refuses_a_year_out_of_range(year: int) -> None:
    # was: 500, `date(0, 12, 31)` raised ValueError("year 0 is out of range")
    awards = definitions()["awards"]
    request = {"facts": {"kind": "HOUSEHOLD", "nominee_id": "h-1"}, "award_code": "GIA_DINH_VAN_HOA", "year": year}
    async with serve(awards, InMemoryRuntime(awards)) as client:
        response = await client.post("/eligibility/evaluations", json={"requests": [request]})
        assert response.status_code == 422
        assert response.json()["field"] == "requests.0.year"


async def test_a_ranking_location_is_percent_encoded() -> None:
    # was: 500, UnicodeEncodeError setting a Location header with a cluster id beyond latin-1
    reporting = definitions()["reporting"]
    command = {"year": 2000, "criteria_set_id": "bo-tieu-chi", "member_organization_ids": ["so-y-te"]}
    async with serve(reporting, InMemoryRuntime(reporting)) as client:
        response = await client.post("/clusters/cụm-𝔸/rankings", json=command)
        assert response.status_code == 201
        assert response.headers["location"] == "/clusters/c%E1%BB%A5m-%F0%9D%94%B8/rankings/2000"


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("registry", "/clusters?limit=10&offset=36893488147419103232"),
        ("registry", "/clusters?year=-248032073504665113821061994608852992"),
        ("registry", "/councils?offset=3946109620349042735768540366766080"),
        ("registry", "/role-assignments?offset=3946109620349042735768540366766080"),
        ("reporting", "/congresses?offset=3946109620349042735768540366766080"),
        ("reporting", "/organizations?offset=3946109620349042735768540366766080"),
        ("reporting", "/clusters?offset=3946109620349042735768540366766080"),
        ("reporting", "/registrations?year=99999999999999999999999"),
    ],
)
async def test_integers_beyond_the_store_are_a_422_on_the_field(service: str, path: str) -> None:
    # was: 500 (PyMongo cannot encode an integer past 64 bits)
    definition = definitions()[service]
    async with serve(definition, InMemoryRuntime(definition)) as client:
        response = await client.get(path)
        assert response.status_code == 422, response.text
        assert response.json()["field"] in ("offset", "year")


@pytest.mark.parametrize(
    ("service", "path", "field"),
    [
        ("registry", "/organizations?as_of=0", "as_of"),
        ("registry", "/organizations/so-noi-vu?as_of=0", "as_of"),
        ("registry", "/organizations/so-noi-vu/successor?on=1735689600", "on"),
        ("notify", "/clusters/cum-1/members?on=0", "on"),
        ("notify", "/roles/TDKT_STATE_MANAGEMENT/holders?on=0", "on"),
        ("awards", "/catalogue/base-salary?on=0", "on"),
        ("registry", "/roles/TDKT_STATE_MANAGEMENT/holders?on=0", "on"),
        ("registry", "/persons?on=0", "on"),
    ],
)
async def test_a_day_in_a_query_is_written_yyyy_mm_dd(service: str, path: str, field: str) -> None:
    # was: 200, pydantic read `0` as 1 January 1970 (a Unix time)
    definition = definitions()[service]
    async with serve(definition, InMemoryRuntime(definition)) as client:
        response = await client.get(path)
        assert response.status_code == 422, response.text
        assert (response.json()["field"], response.json()["detail"]) == (
            field,
            "Value error, a date is written YYYY-MM-DD",
        )
        assert (
            await client.get(path.replace("=0", "=2025-07-01").replace("=1735689600", "=2025-07-01"))
        ).status_code != 422


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "field", "detail"),
    [
        (
            "awards",
            "POST",
            "/eligibility/evaluations",
            {"requests": [], "as_of": 0},
            "as_of",
            "Value error, a date is written YYYY-MM-DD",
        ),
        ("notify", "PUT", "/recipients/so-y-te/preferences", {"daily_digest": 0}, "daily_digest", None),
        ("notify", "PUT", "/recipients/so-y-te/preferences", {"daily_digest": "yes"}, "daily_digest", None),
    ],
)
async def test_a_body_takes_json_types_as_its_schema_says(
    service: str, method: str, path: str, body: dict[str, object], field: str, detail: str | None
) -> None:
    # was: 200, pydantic's lax mode read 0 as 1 January 1970 and 0 or "yes" as a boolean (negative_data_rejection)
    definition = definitions()[service]
    async with serve(definition, InMemoryRuntime(definition)) as client:
        response = await client.request(method, path, json=body, headers=dev_headers())
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
        if detail is not None:
            assert response.json()["detail"] == detail


def test_an_integer_fits_the_store_and_keeps_its_own_bounds() -> None:
    from pydantic import BaseModel, Field, ValidationError

    from tdkt_shared.contract.text import Whole

    class Sample(BaseModel):
        count: Whole = 0
        year: Whole = Field(default=2000, ge=1945, le=2100)

    assert Sample(count=2**63 - 1).count == 2**63 - 1
    for bad in ({"count": 2**63}, {"count": "5"}, {"count": True}, {"year": 1900}, {"year": 2**70}):
        with pytest.raises(ValidationError):
            Sample.model_validate(bad)
