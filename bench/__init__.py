"""Benchmarks (not part of `make test`): `make bench`."""

import os

os.environ.setdefault("AUTH_MODE", "development")  # the benchmarks sign development tokens and start services
