"""CSV bodies of the import endpoints, read the same way in every service."""

from __future__ import annotations

import csv
import io
from itertools import islice

from tdkt_shared.errors import DomainError

BOM = "\ufeff"
"""The byte order mark Excel writes at the start of a "CSV UTF-8" file: not part of the first header."""


def csv_records(body: str, max_rows: int) -> list[dict[str, str | None]]:
    """The data rows of a CSV body under its header line, as the csv module reads them. A leading BOM is dropped;
    422 on `body` for more than `max_rows` rows (`too_many_rows`) or text the csv module cannot read, such as a cell
    over its 128 KiB field limit (`invalid_csv`)."""
    reader = csv.DictReader(io.StringIO(body.removeprefix(BOM)))
    try:
        rows = list(islice(reader, max_rows + 1))
    except csv.Error as exc:
        raise DomainError(
            f"line {reader.line_num + 1}: not readable as CSV: {exc}", field="body", code="invalid_csv"
        ) from exc
    if len(rows) > max_rows:
        raise DomainError(f"at most {max_rows} rows in one import", field="body", code="too_many_rows")
    return rows
