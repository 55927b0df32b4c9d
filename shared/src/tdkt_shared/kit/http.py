"""The HTTP side of the kit: the command context of a request, and the shape of a command on an existing aggregate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tdkt_shared.api import Page, PageParams
from tdkt_shared.auth import CurrentPrincipal
from tdkt_shared.contract import new_event_id
from tdkt_shared.kit.context import CommandContext, utc_now
from tdkt_shared.kit.repository import Loaded, Repository
from tdkt_shared.observability.http import CORRELATION_HEADER
from tdkt_shared.store.aggregates import Query

__all__ = ["CORRELATION_HEADER", "Context", "Versioned", "command_context", "page_of", "request_clock", "versioned"]

A = TypeVar("A", bound=BaseModel)
V = TypeVar("V", bound=BaseModel)
T = TypeVar("T")


def request_clock(request: Request) -> datetime:
    """The time of the request; a runtime may carry a `clock` (tests do) to fix it."""
    clock: Callable[[], datetime] | None = getattr(request.app.state.runtime, "clock", None)
    return clock() if clock is not None else utc_now()


async def command_context(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    correlation_id: Annotated[
        str | None,
        Header(alias=CORRELATION_HEADER, max_length=128, pattern=r"^[\x21-\x7e]+$"),
    ] = None,
) -> CommandContext:
    """The context of a write: the signed-in principal, the client's correlation id or a new one, the clock. The
    services' middleware (`ObservedRequests`) has already chosen and echoed it; an app without it gets it here."""
    chosen: str | None = getattr(request.state, "correlation_id", None)
    correlation = correlation_id or chosen or new_event_id()
    if chosen is None:
        response.headers[CORRELATION_HEADER] = correlation
    return CommandContext(correlation_id=correlation, now=request_clock(request), principal=principal)


Context = Annotated[CommandContext, Depends(command_context)]


class Versioned(BaseModel):
    """A command on an existing aggregate carries the version the client read (optimistic concurrency)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1)


def versioned(view: type[V], loaded: Loaded[Any]) -> V:
    """The aggregate as loaded, rendered as `view` with the version a change must name (optimistic concurrency)."""
    return view.model_validate({**loaded.aggregate.model_dump(), "version": loaded.version})


async def page_of(
    repository: Repository[A],
    query: Query | None,
    page: PageParams,
    render: Callable[[Loaded[A]], T],
    *,
    sort: str | None = None,
) -> Page[T]:
    """One page of the aggregates matching `query`, each rendered, with the count of them all; an empty page when
    `query` is None (nothing the reader may see can match)."""
    if query is None:
        return Page(items=[], total=0, offset=page.offset, limit=page.limit)
    found, total = await repository.page(query, skip=page.offset, limit=page.limit, sort=sort)
    return Page(items=[render(loaded) for loaded in found], total=total, offset=page.offset, limit=page.limit)
