"""Sample data of notify's newer event types, checked by the shared contract tests."""

from __future__ import annotations

SAMPLES: dict[str, dict[str, object]] = {
    "tdkt.notify.notification.read.v1": {
        "notification_id": "3f0c2a51-8f0e-5d7b-9a65-2b1f1e0d9c11",
        "source_event_id": "0b7e6c1a-1d2f-4c3b-8a9e-5f6d7c8b9a01",
        "source_event_type": "tdkt.reporting.report.submitted.v1",
        "recipient_id": "so-y-te",
        "read_at": "2025-12-01T09:30:00+00:00",
    },
    "tdkt.notify.publication.requested.v1": {
        "source_event_id": "0b7e6c1a-1d2f-4c3b-8a9e-5f6d7c8b9a02",
        "source_event_type": "tdkt.awards.award.granted.v1",
        "organization_id": "bao-bac-kan",
        "on": "2025-08-01",
        "rule_id": "publicity",
        "channels": ["INBOX", "EMAIL", "WEBHOOK"],
    },
}
