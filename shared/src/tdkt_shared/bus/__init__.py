"""Bus adapters: topic administration, the outbox relay, and consumers with idempotent dispatch and a DLQ."""
