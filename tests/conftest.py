"""Shared test configuration.

Soak and fuzz tests are marked ``slow``; they run a short, bounded form unless
``PPMS_SOAK=long`` (``make soak``).
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

LONG = os.environ.get("PPMS_SOAK") == "long"

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile("long" if LONG else "ci")


@pytest.fixture
def soak_long() -> bool:
    """True when the long soak form is asked for (``make soak``)."""
    return LONG
