"""Rendering an aggregate as loaded: its state with the version a client sends back (optimistic concurrency)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from tdkt_shared.api import Page, PageParams
from tdkt_shared.kit import Loaded, Repository
from tdkt_shared.store.aggregates import Query

V = TypeVar("V", bound=BaseModel)


def versioned(view: type[V], loaded: Loaded[Any]) -> V:
    return view.model_validate({**loaded.aggregate.model_dump(), "version": loaded.version})


def page_of(view: type[V], found: Sequence[Loaded[Any]], total: int, page: PageParams) -> Page[V]:
    """`found` is the page already cut (`offset`, `limit`); `total` counts every match."""
    return Page(items=[versioned(view, f) for f in found], total=total, offset=page.offset, limit=page.limit)


async def list_page(
    view: type[V], repository: Repository[Any], query: Query, page: PageParams, sort: str | None = None
) -> Page[V]:
    """One page of the aggregates matching `query`, with the count of them all."""
    found = await repository.find(query, skip=page.offset, limit=page.limit, sort=sort)
    return page_of(view, found, await repository.count(query), page)
