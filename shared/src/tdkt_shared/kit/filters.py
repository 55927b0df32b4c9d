"""The query of a list endpoint from its optional filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


def where(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The equality filters that were given: a filter left out (None) matches everything.

    `where({"year": 2026, "organization_id": None})` is `{"year": 2026}`.
    """
    return {field: value for field, value in filters.items() if value is not None}


class Filters(BaseModel):
    """The optional equality filters of a list endpoint, one field each, read from its query string
    (`Annotated[F, Query()]`: the same parameters as one argument each)."""

    def query(self) -> dict[str, Any]:
        """`where` over the fields: only the filters that were given."""
        return where(self.model_dump())
