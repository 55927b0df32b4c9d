"""Small pieces shared by reporting's aggregates."""

from __future__ import annotations

from collections.abc import Iterable

from tdkt_shared.errors import DomainError, InvalidTransition


class Forbidden(DomainError):
    """The acting organisation may not do this."""

    status = 403
    code = "forbidden"


def require_status(kind: str, current: str, allowed: Iterable[str], command: str) -> None:
    """409 unless `current` is one of `allowed`."""
    allowed = tuple(allowed)
    if current not in allowed:
        raise InvalidTransition(
            f"cannot {command} a {kind} that is {current} (allowed from: {', '.join(allowed)})", field="status"
        )
