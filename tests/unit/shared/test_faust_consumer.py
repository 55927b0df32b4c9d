"""The faust transport keeps its (unused) state directory out of the working directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tdkt_shared.bus.faust_consumer import FaustConsumer
from tdkt_shared.settings import load_settings


async def test_state_directory_is_private_and_removed_on_stop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings("reporting")

    consumer = FaustConsumer(settings, ["tdkt.registry.events"], dispatch=None)  # type: ignore[arg-type]
    datadir = Path(str(consumer.app.conf.datadir))

    assert datadir.is_relative_to(tempfile.gettempdir())
    assert datadir.name.startswith(f"{settings.group_id}-faust-")
    assert os.listdir(tmp_path) == []
    await consumer.stop()
    assert datadir.name not in os.listdir(datadir.parent)


async def test_a_consumer_behind_prefetches_a_few_batches_not_thousands_of_records() -> None:
    settings = load_settings("notify", consumer_batch_max=150)

    consumer = FaustConsumer(settings, ["tdkt.reporting.events"], dispatch=None)  # type: ignore[arg-type]
    try:
        assert consumer.app.conf.stream_buffer_maxsize == 300  # faust's default: 4,096 records
        assert consumer.app.conf.consumer_max_fetch_size == 64 * 1024  # faust's default: 1 MiB a partition
    finally:
        await consumer.stop()
