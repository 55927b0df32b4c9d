"""Awards' API dependencies. All `async def`: FastAPI runs a plain `def` dependency in a worker thread, one hop per
request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from tdkt_awards.calendar_vn import VietnamCalendar
from tdkt_awards.domain.calendar import WorkingDays
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.handlers import rule_sets
from tdkt_awards.store import FILES, Repositories
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import current_principal
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.http import versioned
from tdkt_shared.settings import Settings
from tdkt_shared.store.aggregates import Query as StoreQuery
from tdkt_shared.store.files import FileStore


async def repositories(request: Request) -> Repositories:
    return Repositories.of(request.app.state.runtime)


async def files(request: Request) -> FileStore:
    store: FileStore = request.app.state.runtime.files(FILES)
    return store


def upload_limit(request: Request) -> int:
    """The largest file accepted (`HTTP_MAX_UPLOAD_BYTES`; the default when the runtime has no settings)."""
    settings: Settings = getattr(request.app.state.runtime, "settings", None) or Settings()
    return settings.http_max_upload_bytes


@dataclass(frozen=True)
class Upload:
    """A request whose body is the file itself, and the largest file accepted."""

    data: bytes
    limit: int


async def upload(request: Request) -> Upload:
    return Upload(await request.body(), upload_limit(request))


async def catalogue(request: Request) -> Catalogue:
    """The shipped seed and the rule-set versions published through the API."""
    return await rule_sets.published_catalogue(Repositories.of(request.app.state.runtime))


@cache
def _vietnam() -> VietnamCalendar:
    return VietnamCalendar()


async def calendar() -> WorkingDays:
    return _vietnam()


V = TypeVar("V", bound=BaseModel)


def signed_in_router(
    prefix: str = "", *, tag: str, responses: dict[int | str, dict[str, Any]] = ERROR_RESPONSES
) -> APIRouter:
    """A router whose every endpoint needs a token (401 first); each endpoint names the roles it admits."""
    return APIRouter(prefix=prefix, tags=[tag], responses=responses, dependencies=[Depends(current_principal)])


def tag(response: Response | None, loaded: Loaded[Any]) -> None:
    """The version a change must name, as the answer's ETag (when there is an answer to tag)."""
    if response is not None:
        response.headers["ETag"] = f'"{loaded.version}"'


def tagged(view: type[V], loaded: Loaded[Any], response: Response | None = None) -> V:
    """The aggregate as `view` with its version, also given as the ETag of the answer."""
    tag(response, loaded)
    return versioned(view, loaded)


def with_status(status: StrEnum | None) -> StoreQuery:
    """The query for a list filtered on the aggregate's `status` (all of them when None)."""
    return {} if status is None else {"status": status.value}


RepositoriesDep = Annotated[Repositories, Depends(repositories)]
CatalogueDep = Annotated[Catalogue, Depends(catalogue)]
CalendarDep = Annotated[WorkingDays, Depends(calendar)]
FilesDep = Annotated[FileStore, Depends(files)]
UploadDep = Annotated[Upload, Depends(upload)]
"""The body as the file (read after the principal's check, which the endpoint lists first)."""
Filename = Annotated[str, Query(min_length=1, max_length=200)]
