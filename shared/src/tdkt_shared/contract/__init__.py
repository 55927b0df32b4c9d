"""The public event contract: envelope, topics, versioned types and their data models.

Importing this package registers every event type of every service.
"""

from tdkt_shared.contract import awards, notify, records, registry, reporting
from tdkt_shared.contract.envelope import CONTENT_TYPE, CloudEvent, new_event_id
from tdkt_shared.contract.topics import (
    ALL_DLQ_TOPICS,
    ALL_TOPICS,
    SERVICES,
    dlq_topic,
    service_topic,
    topic_for_type,
)
from tdkt_shared.contract.types import (
    EventData,
    data_model,
    event_type,
    make_event,
    parse_data,
    registered_types,
    topic_of,
)

__all__ = [
    "ALL_DLQ_TOPICS",
    "ALL_TOPICS",
    "CONTENT_TYPE",
    "SERVICES",
    "CloudEvent",
    "EventData",
    "awards",
    "data_model",
    "dlq_topic",
    "event_type",
    "make_event",
    "new_event_id",
    "notify",
    "parse_data",
    "records",
    "registered_types",
    "registry",
    "reporting",
    "service_topic",
    "topic_for_type",
    "topic_of",
]
