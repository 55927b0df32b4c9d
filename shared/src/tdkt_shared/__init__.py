"""Shared code of the TĐKT services: event contract, bus and store adapters, settings."""
