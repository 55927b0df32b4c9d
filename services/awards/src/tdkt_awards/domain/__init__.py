"""Award processing's pure domain: no I/O, no clock of its own."""
