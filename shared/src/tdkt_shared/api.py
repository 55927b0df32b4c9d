"""HTTP conventions shared by every service: one error format, one pagination style, health endpoints."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tdkt_shared.contract.text import MAX_OFFSET
from tdkt_shared.errors import DomainError
from tdkt_shared.observability.metrics import render as render_metrics
from tdkt_shared.store import AggregateStore, AlreadyExists, NotFound, VersionConflict
from tdkt_shared.store.mongo import is_unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer has this shape."""

    error: str = Field(examples=["validation_error"])
    detail: str
    field: str | None = Field(default=None, description="The input at fault, as a dotted path", examples=["name"])


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No bearer token, or an invalid or expired one"},
    403: {"model": ErrorBody, "description": "The token's roles or organisation do not allow this"},
    404: {"model": ErrorBody, "description": "Not found"},
    409: {"model": ErrorBody, "description": "Conflict: stale version, duplicate, or illegal transition"},
    422: {"model": ErrorBody, "description": "Invalid input"},
}


HTTP_ERROR_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class PageParams(BaseModel):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=500)


PageQuery = Annotated[PageParams, Query()]


def store_dependency(collection: str) -> Any:
    """A dependency on the runtime's store of `collection`. Async on purpose: FastAPI runs a plain `def` dependency
    in a worker thread, a hop per request that cost reporting a fifth of its CPU at full speed."""

    async def dependency(request: Request) -> AggregateStore:
        store: AggregateStore = request.app.state.runtime.store(collection)
        return store

    return Depends(dependency)


def _error(status: int, error: str, detail: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=ErrorBody(error=error, detail=detail, field=field).model_dump())


def _field_of(loc: Sequence[Any]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


_PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette's 405 names only the first route's)."""
    return [
        method
        for method in _PROBED_METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in app.router.routes)
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        return _error(422, "validation_error", str(first["msg"]), _field_of(first["loc"]))

    @app.exception_handler(DomainError)
    async def domain(_: Request, exc: DomainError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.detail, exc.field)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, "not_found", str(exc))

    @app.exception_handler(AlreadyExists)
    async def exists(_: Request, exc: AlreadyExists) -> JSONResponse:
        return _error(409, "already_exists", str(exc), "id")

    @app.exception_handler(VersionConflict)
    async def conflict(_: Request, exc: VersionConflict) -> JSONResponse:
        return _error(409, "version_conflict", str(exc), "version")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = _error(exc.status_code, HTTP_ERROR_CODES.get(exc.status_code, "http_error"), str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(_allowed_methods(app, request))
        return response

    @app.exception_handler(Exception)
    async def crashed(_: Request, exc: Exception) -> JSONResponse:
        if is_unavailable(exc):
            log.warning("store unavailable: %s", type(exc).__name__)
            response = _error(503, "store_unavailable", "the database is unavailable; try again shortly")
            response.headers["Retry-After"] = "5"
            return response
        log.exception("unhandled error")
        return _error(500, "internal_error", "internal error")


class Readiness(Protocol):
    async def readiness(self) -> dict[str, bool]: ...


class Health(BaseModel):
    status: str
    checks: dict[str, bool] = Field(default_factory=dict)


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
    async def metrics() -> Response:
        """Prometheus metrics of this process (`tdkt_shared.observability.metrics` lists the series)."""
        body, content_type = render_metrics()
        return Response(content=body, media_type=content_type)

    return router


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", response_model=Health)
    async def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
    async def readyz(request: Request) -> Any:
        """Kafka and MongoDB both answer right now."""
        runtime: Readiness = request.app.state.runtime
        checks = await runtime.readiness()
        ready = all(checks.values())
        body = Health(status="ready" if ready else "not_ready", checks=checks)
        return body if ready else JSONResponse(status_code=503, content=body.model_dump())

    return router
