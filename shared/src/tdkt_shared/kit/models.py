"""The two kinds of model every domain declares, so each says what it is instead of repeating its configuration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Value(BaseModel):
    """Immutable: an aggregate's state, a value inside it, a read model. A change is a new instance."""

    model_config = ConfigDict(frozen=True)


class Command(BaseModel):
    """The input of a write: a field it does not declare is refused (422 naming it), never silently dropped."""

    model_config = ConfigDict(extra="forbid")
