"""Small pieces shared by reporting's aggregates."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, Protocol, Self, TypeVar

from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError, InvalidTransition

E = TypeVar("E", bound=EventData)


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


class Dossier(Protocol):
    """An aggregate filed under one organisation, with a history: a report or a registration."""

    @property
    def id(self) -> str: ...

    @property
    def organization_id(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def history(self) -> list[dict[str, str | int]]: ...

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self: ...


D = TypeVar("D", bound=Dossier)


def recorded(dossier: D, status: str, now: datetime, by: str | None = None, **details: str | int) -> D:
    """`dossier` in `status`, the step appended to its history (never rewritten): when, by whom, and `details`."""
    entry: dict[str, str | int] = {"status": status, "at": now.isoformat(), **({"by": by} if by else {}), **details}
    return dossier.model_copy(update={"status": status, "history": [*dossier.history, entry]})


def reassign(
    dossier: D, merger: OrganizationsMerged, open_states: Collection[str], reassigned: type[E], id_field: str
) -> tuple[D, E] | None:
    """Move an open dossier of a merged organisation (sáp nhập) to its successor, keeping its history; None when
    the merger does not concern it. `reassigned` is the event announcing it, naming the dossier in `id_field`."""
    if dossier.status not in open_states or dossier.organization_id not in merger.predecessor_ids:
        return None
    entry: dict[str, str | int] = {
        "organization_id": merger.successor_id,
        "from_organization_id": dossier.organization_id,
        "effective_date": merger.effective_date.isoformat(),
        "legal_basis": merger.legal_basis,
    }
    moved = dossier.model_copy(update={"organization_id": merger.successor_id, "history": [*dossier.history, entry]})
    return moved, reassigned.model_validate(
        {
            id_field: dossier.id,
            "from_organization_id": dossier.organization_id,
            "to_organization_id": merger.successor_id,
            "effective_date": merger.effective_date,
            "legal_basis": merger.legal_basis,
        }
    )
