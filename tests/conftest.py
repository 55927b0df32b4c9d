"""Every test runs the services in development mode: the public development key signs and verifies tokens.
A deployment never does (tdkt_shared.auth refuses to start without a real key)."""

import os

os.environ.setdefault("AUTH_MODE", "development")
