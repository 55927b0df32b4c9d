"""Fields the portal's forms post, validated alike wherever they appear."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Form

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
"""The services' ids (dossiers, sessions, decisions, reports)."""

T = TypeVar("T")

Version = Annotated[int, Form(ge=1, le=1_000_000)]
"""The version of the dossier or report the user read: the service refuses a stale one (409)."""
IdField = Annotated[str, Form(pattern=ID_PATTERN)]
PerNominee = Annotated[list[T], Form(min_length=1, max_length=100)]
"""One value per nominee of the dossier, in the order of `nominee_id`."""
