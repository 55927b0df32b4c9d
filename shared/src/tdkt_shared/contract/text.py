"""Field types shared by commands and events."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, StringConstraints

TEXT_CHARS = 500


def nfc(value: str) -> str:
    """Vietnamese text is stored and compared in Unicode NFC (precomposed diacritics)."""
    return unicodedata.normalize("NFC", value)


def nfc_text(value: str) -> str:
    """NFC, still within `TEXT_CHARS`: a few characters (U+1D160...) grow to three under NFC."""
    normal = nfc(value)
    if len(normal) > TEXT_CHARS:
        raise ValueError(f"String should have at most {TEXT_CHARS} characters (in Unicode NFC)")
    return normal


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_CHARS), AfterValidator(nfc_text)
]
"""A non-empty, trimmed, NFC-normalised line of text."""

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$", examples=["so-noi-vu-bac-kan"])]
"""An id: lower-case letters, digits, dot, dash or underscore, 1 to 80 characters."""

Year = Annotated[int, Field(ge=1945, le=2200, examples=[2025])]
"""A calendar year of emulation work: from 1945 (the movement's first years) to 2200."""

MAX_OFFSET = 1_000_000_000
"""The largest page offset a list accepts (MongoDB's skip is a 64-bit integer; no list here is near this long)."""

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_day(value: object) -> object:
    """A day is written YYYY-MM-DD; pydantic alone reads `0` as 1 January 1970."""
    if isinstance(value, bool | int | float) or (isinstance(value, str) and not ISO_DAY.match(value)):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


def iso_instant(value: object) -> object:
    """A moment is written in ISO 8601 (2025-07-01T08:00:00+07:00); pydantic alone reads a number as Unix time."""
    if isinstance(value, bool | int | float):
        raise ValueError("a date and time is written in ISO 8601, e.g. 2025-07-01T08:00:00+07:00")
    return value


Day = Annotated[date, BeforeValidator(iso_day)]
"""A calendar day, as text YYYY-MM-DD (or a date): in paths, queries and bodies."""

Instant = Annotated[datetime, BeforeValidator(iso_instant)]
"""A moment, as ISO 8601 text (or a datetime), never a number."""

Flag = StrictBool
"""true or false, never 0, 1 or "yes" (what JSON Schema's boolean admits)."""

INT64 = (-(2**63), 2**63 - 1)
"""What the store keeps in an integer (BSON int64): a larger one could not be written."""


def fits_the_store(value: int) -> int:
    if not INT64[0] <= value <= INT64[1]:
        raise ValueError("an integer here fits in 64 bits")
    return value


Whole = Annotated[StrictInt, AfterValidator(fits_the_store)]
"""An integer given as a JSON integer (never a string or a boolean) that fits the store; a field's own bounds
(`Field(ge=..., le=...)`) still apply."""
