"""Award processing's HTTP API: one router per resource."""
