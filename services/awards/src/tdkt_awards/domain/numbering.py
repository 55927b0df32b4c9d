"""Numbering of documents (số, ký hiệu): one register per issuing body and year (sổ đăng ký văn bản).

Decree 30/2020/NĐ-CP, Appendix I: a document's number is its rank among the documents the body issues in the year,
from 01 on 1 January; numbers below 10 are written with a leading 0. The symbol (ký hiệu) joins the abbreviation of
the document's kind and that of the issuing body: `05/QĐ-UBND`.

A number is bound to the document it was taken for: asking again for the same document gives the same number, so a
retried issue neither skips nor doubles one. The register is one aggregate written with a compare-and-set, so two
issuers racing for the next number cannot both get it.
"""

from __future__ import annotations

from pydantic import Field

from tdkt_shared.contract.text import Whole
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.models import Value

SYMBOL_PATTERN = r"^[A-ZĐ0-9][A-ZĐ0-9-]{0,19}$"
"""An abbreviation in a symbol: capitals (with Đ), digits and dashes, e.g. `UBND`, `SNV`, `HĐTĐKT`."""


class Entry(Value):
    document_id: str
    number: Whole = Field(ge=1)


class Register(Value):
    """Sổ đăng ký văn bản đi of one issuing body for one year."""

    id: str
    issuer_id: str
    year: Whole
    last: Whole = 0
    entries: list[Entry] = Field(default_factory=list)

    def number_of(self, document_id: str) -> int | None:
        for entry in self.entries:
            if entry.document_id == document_id:
                return entry.number
        return None


def register_id(issuer_id: str, year: int) -> str:
    return f"{issuer_id}.{year}"


def empty_register(issuer_id: str, year: int) -> Register:
    return Register(id=register_id(issuer_id, year), issuer_id=issuer_id, year=year)


def take(register: Register, document_id: str) -> tuple[Register, int] | int:
    """The next number for `document_id` and the register that records it; the number it already has, if any."""
    known = register.number_of(document_id)
    if known is not None:
        return known
    number = register.last + 1
    entries = [*register.entries, Entry(document_id=document_id, number=number)]
    return register.model_copy(update={"last": number, "entries": entries}), number


def number_text(number: int) -> str:
    """`5` -> `05`: a number below 10 is written with a leading 0."""
    return f"{number:02d}"


def symbol(number: int, kind_abbreviation: str, issuer_symbol: str) -> str:
    """Số và ký hiệu: `05/QĐ-UBND`."""
    if not issuer_symbol:
        raise DomainError("the issuing body's abbreviation is needed for the symbol", field="issuer_symbol")
    return f"{number_text(number)}/{kind_abbreviation}-{issuer_symbol}"
