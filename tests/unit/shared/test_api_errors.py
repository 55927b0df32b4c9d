"""An unavailable database answers 503 with Retry-After, not 500: the request can be sent again as it is."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from tdkt_shared.api import install_error_handlers


def app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/postgres-down")
    async def postgres_down() -> None:
        raise OperationFailure("failed to connect to `user=postgres database=ferretdb`: connection refused", code=1)

    @app.get("/mongo-down")
    async def mongo_down() -> None:
        raise ServerSelectionTimeoutError("127.0.0.1:27017: connection refused")

    @app.get("/bug")
    async def bug() -> None:
        raise ValueError("a bug")

    return app


async def test_an_unavailable_store_is_a_503_to_retry_and_a_bug_stays_a_500() -> None:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for path in ("/postgres-down", "/mongo-down"):
            response = await client.get(path)
            assert (response.status_code, response.headers["retry-after"]) == (503, "5")
            assert response.json()["error"] == "store_unavailable"
        bug = await client.get("/bug")
        assert (bug.status_code, bug.json()["error"]) == (500, "internal_error")
