"""What one model hands to another under the same names: an event built from the record it announces."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def carried(source: BaseModel, target: type[BaseModel], *but: str) -> dict[str, Any]:
    """`source`'s fields that `target` declares too, but those named, as keyword arguments for `target`."""
    return source.model_dump(include=target.model_fields.keys() - set(but))
