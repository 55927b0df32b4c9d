"""Field types shared by commands and events."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints


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
