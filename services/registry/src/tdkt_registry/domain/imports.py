"""Bulk import of records (CSV or JSON rows) with a report line per refused row.

A row is read into its command model; a row that does not read, or that the domain refuses, is reported with its
number (1 = the first data row), the field at fault and why, and the other rows still load. Loading a file twice
changes nothing the second time: each record's id follows from its natural key.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from tdkt_shared.errors import DomainError
from tdkt_shared.kit.models import Command, Value
from tdkt_shared.kit.tables import csv_records

MAX_ROWS = 5000
"""Rows in one import (the request body is bounded too)."""

M = TypeVar("M", bound=BaseModel)

Outcome = Literal["created", "changed", "unchanged"]


class RowError(Value):
    row: int
    field: str | None
    code: str
    detail: str


class ImportReport(Value):
    rows: int
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = Field(default_factory=list)
    ids: list[str] = Field(default_factory=list)
    """The id of each row's record, in row order (empty for a refused row)."""


class JsonImport(Command):
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_ROWS)


LIST_SEPARATOR = ";"
"""A list in a CSV cell (an initiative's authors): `p-1;p-2`."""


def csv_rows(
    body: str, *, lists: frozenset[str] = frozenset(), numbers: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """The data rows of a CSV body whose header names the fields; empty cells are absent. `lists` fields are split
    on `;`, `numbers` fields read as integers when they are digits (CSV has only text). A leading BOM is dropped;
    text the csv module cannot read is refused (422 `invalid_csv`, field `body`)."""
    rows: list[dict[str, Any]] = []
    for raw in csv_records(body, MAX_ROWS):
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if not key or not isinstance(value, str) or not value.strip():
                continue
            name, text = key.strip(), value.strip()
            if name in lists:
                row[name] = [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
            elif name in numbers and text.isdigit():
                row[name] = int(text)
            else:
                row[name] = text
        rows.append(row)
    if not rows:
        raise DomainError("no data rows under the header", field="body", code="empty_import")
    return rows


def read_row(model: type[M], number: int, row: dict[str, Any]) -> M | RowError:
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        return RowError(row=number, field=field, code="invalid_row", detail=first["msg"])


def refused(number: int, exc: DomainError) -> RowError:
    return RowError(row=number, field=exc.field, code=exc.code, detail=exc.detail)


def tally(report: ImportReport, outcome: Outcome, record_id: str) -> ImportReport:
    update: dict[str, Any] = {outcome: getattr(report, outcome) + 1, "ids": [*report.ids, record_id]}
    return report.model_copy(update=update)


def failed(report: ImportReport, error: RowError) -> ImportReport:
    return report.model_copy(update={"errors": [*report.errors, error], "ids": [*report.ids, ""]})
