"""Shared helpers for the STS tests: vector loading and meter building."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from hardware.sts import MeterKeyData, SoftwareSecurityModule, VendingKey

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def load(name: str) -> list[dict[str, Any]]:
    """Rows of tests/vectors/<name>, without the leading source line."""
    rows = [json.loads(line) for line in (VECTORS / name).read_text().splitlines() if line]
    return [row for row in rows if "_source" not in row]


def meter_of(data: dict[str, Any]) -> MeterKeyData:
    return MeterKeyData(**data)


def module_of(hex_key: str) -> SoftwareSecurityModule:
    return SoftwareSecurityModule(VendingKey(bytes.fromhex(hex_key)))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)
