"""Backends behind `terminal.services.ports`, built by `terminal.bootstrap`."""
