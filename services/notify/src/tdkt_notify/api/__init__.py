"""Notifications' HTTP API: one router per resource."""
