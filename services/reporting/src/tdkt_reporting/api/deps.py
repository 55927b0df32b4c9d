"""What reporting's routers depend on besides the kit's `Context`: the runtime's stores."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tdkt_shared.runtime import Stores


async def _stores(request: Request) -> Stores:
    """Async on purpose: a plain `def` dependency would run in a worker thread."""
    stores: Stores = request.app.state.runtime
    return stores


StoresDep = Annotated[Stores, Depends(_stores)]
