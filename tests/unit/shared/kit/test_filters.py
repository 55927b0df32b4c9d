"""The query of a list endpoint from its optional filters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import httpx
from fastapi import FastAPI, Query

from tdkt_shared.kit.filters import Filters, where


def test_a_filter_left_out_matches_everything() -> None:
    assert where({"year": None, "organization_id": None}) == {}


def test_the_given_filters_are_kept_as_they_are() -> None:
    query = where({"year": 2026, "members.organization_id": "org-1", "status": None, "flag": False, "n": 0})
    assert query == {"year": 2026, "members.organization_id": "org-1", "flag": False, "n": 0}


class AssignmentFilters(Filters):
    role: Literal["CHAIR", "MEMBER"] | None = None
    organization_id: str | None = None


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/assignments")
    async def assignments(filters: Annotated[AssignmentFilters, Query()]) -> dict[str, Any]:
        return filters.query()

    return app


async def test_filters_are_read_from_the_query_string_and_only_the_given_ones_query() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t") as client:
        assert (await client.get("/assignments", params={"organization_id": "org-1"})).json() == {
            "organization_id": "org-1"
        }
        assert (await client.get("/assignments")).json() == {}
        refused = await client.get("/assignments", params={"role": "KING"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "role"]


def test_filters_are_listed_as_one_query_parameter_each() -> None:
    parameters = _app().openapi()["paths"]["/assignments"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("role", "query", False),
        ("organization_id", "query", False),
    ]
