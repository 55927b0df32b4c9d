"""The reminder scheduler: sweeps reports on a timer and emits due-soon and overdue reminders.

It keeps no state of its own: each reminder sent is recorded in its report together with its event (one store
write, deterministic event id), so a restart, a second process or a rerun never sends a reminder twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tdkt_reporting.handlers.reports import send_reminders
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import Runtime, Stores

log = logging.getLogger(__name__)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class ReminderSettings(BaseSettings):
    """`REPORT_REMINDER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="REPORT_REMINDER_", extra="ignore")

    enabled: bool = True
    days_before: int = Field(default=7, ge=0, le=90)
    """How many days before the due date the due-soon reminder goes out."""
    interval_s: float = Field(default=3600, gt=0)


def today_in_vietnam() -> date:
    """Due dates are Vietnamese calendar dates."""
    return datetime.now(VIETNAM).date()


async def run(stores: Stores, settings: ReminderSettings, clock: Callable[[], date] = today_in_vietnam) -> None:
    while True:
        try:
            sent = await send_reminders(stores, clock(), settings.days_before, CommandContext.system())
            if sent:
                log.info("sent %d report reminders", sent)
        except Exception:
            log.exception("reminder sweep failed; retrying at the next tick")
        await asyncio.sleep(settings.interval_s)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the scheduler beside a real runtime (never beside the in-memory one of unit tests)."""
    runtime = app.state.runtime
    settings = ReminderSettings()
    task = None
    if isinstance(runtime, Runtime) and settings.enabled:
        task = asyncio.create_task(run(runtime, settings), name="report-reminders")
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


router = APIRouter(lifespan=lifespan)
"""Carries the scheduler's lifespan into the app (no routes)."""
