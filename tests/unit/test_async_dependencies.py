"""No API dependency runs in a worker thread: FastAPI runs a plain `def` dependency through a thread pool, a hop per
request (a fifth of reporting's CPU at full speed, by py-spy, before they were made `async def`)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tdkt_shared.api import health_router
from tdkt_shared.runtime import definitions


def calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from calls(sub)


def runs_in_a_thread(call: object) -> bool:
    """As FastAPI decides: a class is constructed in a thread; an instance (HTTPBearer()) by its `__call__`."""
    if inspect.isclass(call):
        return True
    if callable(call) and not inspect.isfunction(call) and not inspect.ismethod(call):
        call = call.__call__
    return not inspect.iscoroutinefunction(call)


@pytest.mark.parametrize("service", sorted(definitions()))
def test_every_dependency_of_every_route_is_async(service: str) -> None:
    routers = [*definitions()[service].routers, health_router()]
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    assert len(routes) > 5
    threaded = sorted(
        {
            f"{route.path}: {getattr(call, '__qualname__', call)}"
            for route in routes
            for call in calls(route.dependant)
            if runs_in_a_thread(call)
        }
    )
    assert threaded == []
