"""The center's clock: local time to the second, as the terminals write theirs."""
from __future__ import annotations

from datetime import datetime


def now_text() -> str:
    return datetime.now().replace(microsecond=0).isoformat()
