from __future__ import annotations

import json

import pytest

from tdkt_registry.service import DEFINITION
from tdkt_registry.store import ORGANIZATIONS
from tdkt_shared.limits import json_depth_exceeds
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve


@pytest.mark.parametrize(
    ("text", "depth", "exceeds"),
    [
        ('{"a": [1, {"b": 2}]}', 3, False),
        ('{"a": [1, {"b": 2}]}', 2, True),
        ('{"a": "[[[[[[[[[[{{{{{{"}', 1, False),
        ('{"a": "quote \\" [[[[", "b": {}}', 2, False),
        ('{"a": "ends with backslash \\\\", "b": [[1]]}', 2, True),
        ("[" * 33 + "]" * 33, 32, True),
        ("[" * 32 + "]" * 32, 32, False),
        ('"plain"', 1, False),
    ],
)
def test_json_depth(text: str, depth: int, exceeds: bool) -> None:
    assert json_depth_exceeds(text.encode(), depth) is exceeds


async def test_oversized_and_deep_bodies_are_refused_before_the_handler() -> None:
    runtime = InMemoryRuntime(DEFINITION)
    async with serve(DEFINITION, runtime) as client:
        huge = {"id": "x", "name": "a" * (2 << 20), "kind": "DEPARTMENT", "valid_from": "2008-01-01"}
        response = await client.post(
            "/organizations", content=json.dumps(huge), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert response.json()["error"] == "body_too_large"
        assert response.json()["detail"].startswith("the body exceeds 1048576 bytes (a file sent as ")

        deep: object = "x"
        for _ in range(100):
            deep = {"k": deep}
        body = {"id": "x", "name": "n", "kind": "DEPARTMENT", "valid_from": "2008-01-01", "extra": deep}
        response = await client.post("/organizations", json=body)
        assert response.status_code == 422
        assert response.json()["error"] == "body_too_deep"

        ok = {"id": "so-y-te", "name": "Sở Y tế", "kind": "DEPARTMENT", "valid_from": "2008-01-01"}
        assert (await client.post("/organizations", json=ok)).status_code == 201
    assert await runtime.store(ORGANIZATIONS).count({}) == 1
