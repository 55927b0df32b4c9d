"""What the record routers share: who reads records, their list, and their imports (JSON rows, or the same rows as
CSV text)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from tdkt_registry.api.deps import StoresDep
from tdkt_registry.domain.imports import ImportReport, JsonImport, csv_rows
from tdkt_registry.policy import RECORD_READERS
from tdkt_shared.api import Page, PageQuery, store_dependency
from tdkt_shared.auth import Principal, require
from tdkt_shared.contract.text import Identifier
from tdkt_shared.kit import CommandContext, Repository
from tdkt_shared.kit.filters import where
from tdkt_shared.kit.http import Context, page_of, versioned
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

V = TypeVar("V", bound=BaseModel)

RecordReader = Annotated[Principal, require(*RECORD_READERS)]
"""The records kept on persons and collectives are read by the readers of every person and the bodies keeping
them (a `unit_officer` reads none: a case is not its business)."""

CSV_BODY: dict[str, Any] = {"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}}
CsvText = Annotated[str, Body(..., media_type="text/csv", max_length=1 << 20)]

Importer = Callable[[list[dict[str, Any]], Stores, CommandContext], Awaitable[ImportReport]]
"""A record kind's import handler: rows in, a report line per refused row out."""


def add_imports(
    router: APIRouter,
    writer: Sequence[Any],
    importer: Importer,
    *,
    about: str,
    about_csv: str = "",
    lists: frozenset[str] = frozenset(),
    numbers: frozenset[str] = frozenset(),
) -> None:
    """`POST /imports` (JSON rows) and `POST /imports/csv` (the same rows as CSV with a header line naming the
    fields; `lists` and `numbers` as `csv_rows` reads them) on a record router, both for the `writer` roles."""

    @router.post("/imports", dependencies=writer, response_model=ImportReport, description=about)
    async def import_json(body: JsonImport, stores: StoresDep, ctx: Context) -> ImportReport:
        return await importer(body.rows, stores, ctx)

    @router.post(
        "/imports/csv", dependencies=writer, response_model=ImportReport, openapi_extra=CSV_BODY, description=about_csv
    )
    async def import_csv(body: CsvText, stores: StoresDep, ctx: Context) -> ImportReport:
        return await importer(csv_rows(body, lists=lists, numbers=numbers), stores, ctx)


def add_list(
    router: APIRouter,
    view: type[V],
    collection: str,
    repository: Callable[[AggregateStore], Repository[Any]],
    *,
    filter_by: str,
    field: str | None = None,
    sort: str,
    about: str | None = None,
) -> None:
    """`GET ""` (operation `list_{collection}`) on a record router, for a `RecordReader`: a page of the records,
    when the query parameter `filter_by` is given only those whose `field` (by default the same name) holds it,
    sorted by `sort`, each as `view` with its version."""
    store_of = store_dependency(collection)

    @router.get("", name=f"list_{collection}", response_model=Page[view], description=about)  # type: ignore[valid-type]
    async def list_records(
        *,
        store: AggregateStore = store_of,
        _reader: RecordReader,
        page: PageQuery,
        value: Identifier | None = Query(None, alias=filter_by),
    ) -> Page[V]:
        query = where({field or filter_by: value})
        return await page_of(repository(store), query, page, partial(versioned, view), sort=sort)
