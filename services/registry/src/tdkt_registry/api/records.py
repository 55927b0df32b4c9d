"""What the record routers share: who reads records, and the body of an import (JSON rows or CSV text)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body

from tdkt_registry.policy import RECORD_READERS
from tdkt_shared.auth import Principal, require

RecordReader = Annotated[Principal, require(*RECORD_READERS)]
"""The records kept on persons and collectives are read by the readers of every person and the bodies keeping
them (a `unit_officer` reads none: a case is not its business)."""

CSV_BODY: dict[str, Any] = {"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}}
CsvText = Annotated[str, Body(..., media_type="text/csv", max_length=1 << 20)]
