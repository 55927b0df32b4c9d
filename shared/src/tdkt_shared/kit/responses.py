"""What a create endpoint answers besides its body."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Response

V = TypeVar("V")


def created(response: Response, location: str, view: V) -> V:
    """The answer to a create (201): `view`, with the `Location` of what was created."""
    response.headers["Location"] = location
    return view
