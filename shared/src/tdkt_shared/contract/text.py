"""Field types shared by commands and events."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints


def nfc(value: str) -> str:
    """Vietnamese text is stored and compared in Unicode NFC (precomposed diacritics)."""
    return unicodedata.normalize("NFC", value)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(nfc)]
"""A non-empty, trimmed, NFC-normalised line of text."""

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$", examples=["so-noi-vu-bac-kan"])]
"""An id: lower-case letters, digits, dot, dash or underscore, 1 to 80 characters."""

Year = Annotated[int, Field(ge=1945, le=2200, examples=[2025])]
"""A calendar year of emulation work: from 1945 (the movement's first years) to 2200."""

MAX_OFFSET = 1_000_000_000
"""The largest page offset a list accepts (MongoDB's skip is a 64-bit integer; no list here is near this long)."""

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_day(value: object) -> object:
    """A day in a query or a path is written YYYY-MM-DD; pydantic alone reads `0` as 1 January 1970."""
    if isinstance(value, str) and not ISO_DAY.match(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(iso_day)]
"""A calendar day given as text in a query or a path: YYYY-MM-DD only."""
