"""Reporting's named handlers: one module per aggregate, each write loading once, checking `policy` on what it
loaded, calling the pure domain and saving through the kit's `Repository`."""
