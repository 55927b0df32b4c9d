"""The honour roll's read models, applied once per consumed event; and the roll's queries."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar, cast

from tdkt_portal.domain import honourees as roll
from tdkt_portal.domain.honourees import Honouree, Publication
from tdkt_portal.store import Repositories
from tdkt_shared.auth import Role
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.awards import AwardGranted, AwardRevoked
from tdkt_shared.contract.notify import PublicationRequested
from tdkt_shared.kit import Repository

Honourees = Repository[Honouree]
Publications = Repository[Publication]
PRESS_ROLE = Role.PRESS_OFFICER

T = TypeVar("T")
log = logging.getLogger(__name__)
MAX_SCAN = 2000
"""Most entries read to answer one search with several words (the store matches one word, the rest here)."""


async def on_award_granted(event: CloudEvent, data: AwardGranted, honourees: Honourees) -> bool:
    return await honourees.apply_once(data.grant_id, event, lambda c: (roll.granted(c, event.id, data), ()))


async def on_award_revoked(event: CloudEvent, data: AwardRevoked, honourees: Honourees) -> bool:
    return await honourees.apply_once(data.grant_id, event, lambda c: (roll.revoked(c, data), ()))


async def on_publication_requested(event: CloudEvent, data: PublicationRequested, publications: Publications) -> bool:
    return await publications.apply_once(data.source_event_id, event, lambda c: (roll.requested(c, data), ()))


@dataclass(frozen=True)
class Search:
    year: int | None = None
    award_code: str | None = None
    organization_id: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Found:
    items: list[Honouree]
    total: int


async def search(repositories: Repositories, wanted: Search, *, offset: int, limit: int) -> Found:
    """Granted, not revoked, newest year first; the text matches every word of the name (accents optional)."""
    query: dict[str, object] = {"revoked": False}
    if wanted.year is not None:
        query["year"] = wanted.year
    if wanted.award_code:
        query["award_code"] = wanted.award_code
    if wanted.organization_id:
        query["organization_id"] = wanted.organization_id
    terms = roll.words(wanted.text)
    honourees = repositories.honourees
    if not terms:
        found, total = await asyncio.gather(
            honourees.find(query, skip=offset, limit=limit, sort="-year"), honourees.count(query)
        )
        return Found([f.aggregate for f in found], total)
    query["terms"] = max(terms, key=len)  # the rarest word, likely: the store narrows by it
    matching = [
        f.aggregate
        for f in await honourees.find(query, limit=MAX_SCAN, sort="-year")
        if all(t in f.aggregate.terms for t in terms)
    ]
    return Found(matching[offset : offset + limit], len(matching))


async def entry(repositories: Repositories, grant_id: str) -> tuple[Honouree, Publication | None] | None:
    """One entry and its publication requests, or None when no grant of that id was announced."""
    loaded = await repositories.honourees.get(grant_id)
    if loaded is None or not loaded.aggregate.known:
        return None
    honouree = loaded.aggregate
    published = await repositories.publications.get(honouree.granted_event_id or "")
    return honouree, None if published is None else published.aggregate


async def years(repositories: Repositories) -> list[int]:
    """The years on the roll, newest first (from the newest and oldest entries: the range between them)."""
    newest, oldest = await asyncio.gather(
        repositories.honourees.find({"revoked": False}, limit=1, sort="-year"),
        repositories.honourees.find({"revoked": False}, limit=1, sort="year"),
    )
    if not newest or not oldest:
        return []
    return list(range(newest[0].aggregate.year, oldest[0].aggregate.year - 1, -1))


@dataclass(frozen=True)
class PressRequestView:
    """One request to a press body: what it is about, when, and the honour's entry when it is a grant."""

    source_event_type: str
    on: date
    honouree: Honouree | None


async def requests_to(repositories: Repositories, organization_id: str, limit: int = 100) -> list[PressRequestView]:
    """What a press body was asked to publish, newest first."""
    found = await repositories.publications.find({"press.organization_id": organization_id}, limit=limit)
    views: list[PressRequestView] = []
    for publication in (f.aggregate for f in found):
        on = next(p.on for p in publication.press if p.organization_id == organization_id)
        entry = await repositories.honourees.find({"granted_event_id": publication.source_event_id}, limit=1)
        views.append(PressRequestView(publication.source_event_type, on, entry[0].aggregate if entry else None))
    return sorted(views, key=lambda v: v.on, reverse=True)


class RollCache:
    """The roll's answers for a while (it changes only when a grant is announced or revoked).

    An answer younger than `ttl_s` is served as it is; an older one is still served at once while one read
    refreshes it in the background (stale while revalidate); concurrent first asks of the same search share one
    read. So a public page under load sorts and counts in the store once per search and period, whatever the
    number of visitors. At most `size` searches are kept, the least recently used going first. `ttl_s=0`: off.
    An honour's page is kept the same way."""

    def __init__(self, ttl_s: float, size: int = 256) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._entries: OrderedDict[object, _Entry[Any]] = OrderedDict()
        self._tasks: set[asyncio.Future[Any]] = set()

    async def _get(self, key: object, read: Callable[[], Awaitable[T]]) -> T:
        if self._ttl_s == 0:
            return await read()  # caching off
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        self._entries.move_to_end(key)
        fresh = time.monotonic() - entry.at < self._ttl_s
        if entry.has_value and fresh:
            return cast("T", entry.value)
        if entry.reading is None:
            entry.reading = asyncio.ensure_future(self._read(entry, read))
            self._tasks.add(entry.reading)
            entry.reading.add_done_callback(self._done)
        if entry.has_value:
            return cast("T", entry.value)  # stale, while the read refreshes it
        return cast("T", await asyncio.shield(entry.reading))

    def _done(self, task: asyncio.Future[Any]) -> None:
        """A background refresh that failed leaves the stale answer in place; the next ask tries again."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("the roll could not be read: %r", task.exception())

    @staticmethod
    async def _read(entry: _Entry[T], read: Callable[[], Awaitable[T]]) -> T:
        try:
            value = await read()
            entry.value, entry.has_value, entry.at = value, True, time.monotonic()
            return value
        finally:
            entry.reading = None

    async def search(self, repositories: Repositories, wanted: Search, *, offset: int, limit: int) -> Found:
        return await self._get(
            (wanted, offset, limit), lambda: search(repositories, wanted, offset=offset, limit=limit)
        )

    async def years(self, repositories: Repositories) -> list[int]:
        return await self._get("years", lambda: years(repositories))

    async def entry(self, repositories: Repositories, grant_id: str) -> tuple[Honouree, Publication | None] | None:
        """An honour's page (its press requests included), or None while no such grant is known."""
        return await self._get(("entry", grant_id), lambda: entry(repositories, grant_id))


class _Entry(Generic[T]):
    def __init__(self) -> None:
        self.value: T | None = None
        self.has_value = False
        self.at = float("-inf")
        self.reading: asyncio.Future[T] | None = None
