"""The pure core of notifications: routing rules, recipients, deliveries and templates (no I/O, no clock)."""
