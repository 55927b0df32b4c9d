"""Errors the domain raises and the API turns into `{"error", "detail", "field"}` responses."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `code` is stable and machine-readable; `field` names the input at fault."""

    status = 422
    code = "rule_violated"

    def __init__(self, detail: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        if code is not None:
            self.code = code


class InvalidTransition(DomainError):
    """The aggregate's state does not allow this command."""

    status = 409
    code = "invalid_transition"


class UnknownReference(DomainError):
    """An id in the input names nothing this service knows."""

    status = 422
    code = "unknown_reference"
