"""What the record routers share: who reads records, and their imports (JSON rows, or the same rows as CSV text)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body

from tdkt_registry.api.deps import StoresDep
from tdkt_registry.domain.imports import ImportReport, JsonImport, csv_rows
from tdkt_registry.policy import RECORD_READERS
from tdkt_shared.auth import Principal, require
from tdkt_shared.kit import CommandContext
from tdkt_shared.kit.http import Context
from tdkt_shared.runtime import Stores

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
