"""Fault tests over a private stack (see conftest.py)."""
