"""The end-to-end scenario reuses the integration fixtures: the real stack, per-run databases and groups."""

from tests.integration.conftest import drop_databases, make_settings, mongodb_url, run_id, stack

__all__ = ["drop_databases", "make_settings", "mongodb_url", "run_id", "stack"]
