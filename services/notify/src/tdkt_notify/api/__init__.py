"""The notification service's HTTP API: rules, templates, recipients, deliveries and the inbox."""
