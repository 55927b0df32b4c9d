"""Topic creation reads the broker's per-topic answer: a refused topic stops the start-up with the reason, a topic
another service created meanwhile is fine. aiokafka's `create_topics` returns these codes; it does not raise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from unittest import mock

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from tdkt_shared.bus.kafka import TopicCreationError, ensure_topics
from tdkt_shared.settings import load_settings


class Response:
    """A CreateTopics response (v1+: topic, error code, message; v0: no message)."""

    def __init__(self, *topic_errors: Sequence[Any]) -> None:
        self.topic_errors = list(topic_errors)


def leaders(topics: list[str]) -> list[dict[str, Any]]:
    return [{"topic": t, "error_code": 0, "partitions": [{"partition": 0, "leader": 1}]} for t in topics]


async def create(response: Response, topics: list[str]) -> tuple[list[str], mock.AsyncMock]:
    describe = mock.AsyncMock(side_effect=leaders)
    with (
        mock.patch.object(AIOKafkaAdminClient, "start", mock.AsyncMock()),
        mock.patch.object(AIOKafkaAdminClient, "close", mock.AsyncMock()),
        mock.patch.object(AIOKafkaAdminClient, "list_topics", mock.AsyncMock(return_value=["tdkt.old"])),
        mock.patch.object(AIOKafkaAdminClient, "_send_to_controller", mock.AsyncMock(return_value=response)),
        mock.patch.object(AIOKafkaAdminClient, "describe_topics", describe),
    ):
        created = await ensure_topics(load_settings("registry", kafka_replication_factor=3), topics)
    return created, describe


async def test_a_topic_the_broker_refuses_stops_with_its_name_code_and_message() -> None:
    refused = Response(
        ("tdkt.a", 0, None),
        ("tdkt.b", 38, "Replication factor: 3 larger than available brokers: 1."),
    )
    with pytest.raises(TopicCreationError) as raised:
        await create(refused, ["tdkt.a", "tdkt.b"])
    message = str(raised.value)
    assert "tdkt.b: InvalidReplicationFactorError (error 38)" in message
    assert "larger than available brokers: 1." in message
    assert "tdkt.a" not in message


async def test_a_refusal_without_a_message_still_names_the_error() -> None:
    with pytest.raises(TopicCreationError, match=r"tdkt\.b: PolicyViolationError \(error 44\)$"):
        await create(Response(("tdkt.b", 44)), ["tdkt.b"])  # v0: no message


async def test_a_topic_created_meanwhile_by_another_service_is_fine() -> None:
    both = Response(("tdkt.a", 0, None), ("tdkt.b", 36, "Topic 'tdkt.b' already exists."))
    created, describe = await create(both, ["tdkt.a", "tdkt.b", "tdkt.old"])
    assert created == ["tdkt.a"]  # only what this call created
    describe.assert_awaited_with(["tdkt.a", "tdkt.b"])  # both still wait for their leaders


async def test_nothing_missing_creates_nothing() -> None:
    created, describe = await create(Response(), ["tdkt.old"])
    assert created == []
    describe.assert_not_awaited()
