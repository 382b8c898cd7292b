"""JSON-able views of decoded cards (for ``ppms card read --json`` and vectors).

Energy is a decimal string with two decimals ("56.51" = 5651 x 0.01 kWh), times
are ISO 8601 UTC, bytes are hex, flags are lists of names.
"""
from __future__ import annotations

from datetime import datetime
from enum import IntFlag
from typing import Any

from .layout import CardData, ClearOrder, Identity, Purchase, ReturnData, Setting


def kwh(energy: int) -> str:
    return f"{energy // 100}.{energy % 100:02d}"


def parse_kwh(text: str) -> int:
    whole, _, frac = text.partition(".")
    if len(frac) > 2 or not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"energy must have at most two decimals: {text!r}")
    return int(whole) * 100 + int(frac.ljust(2, "0") or "0")


def _time(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _flags(f: IntFlag) -> list[str]:
    return [m.name for m in type(f) if m.value and m in f and m.name]


def identity_dict(i: Identity) -> dict[str, Any]:
    return {"card_type": i.card_type.name.lower(), "utility_code": i.utility_code,
            "card_serial": i.card_serial.hex(), "meter": i.meter_no, "key_id": i.key_id,
            "layout_version": i.layout_version}


def body_dict(b: Purchase | Setting | ClearOrder) -> dict[str, Any]:
    if isinstance(b, Purchase):
        return {"kind": "purchase", "sequence": b.sequence, "kwh": kwh(b.energy), "time": _time(b.time),
                "tariff_index": b.tariff_index, "credit_limit_kwh": kwh(b.credit_limit),
                "max_power_w": b.max_power_w}
    if isinstance(b, Setting):
        return {"kind": "setting", "sequence": b.sequence, "time": _time(b.time),
                "max_power_w": b.max_power_w, "alarm_level_kwh": kwh(b.alarm_level)}
    return {"kind": "clear", "sequence": b.sequence, "time": _time(b.time), "clear": _flags(b.clear)}


def return_dict(r: ReturnData) -> dict[str, Any]:
    return {"meter": r.meter_no, "last_sequence": r.last_sequence, "remaining_kwh": kwh(r.remaining),
            "cumulative_kwh": kwh(r.cumulative), "flags": _flags(r.flags), "time": _time(r.time)}


def card_to_dict(data: CardData) -> dict[str, Any]:
    return {
        "blank": data.blank,
        "identity": identity_dict(data.identity) if data.identity else None,
        "body": body_dict(data.body) if data.body else None,
        "return": return_dict(data.returned) if data.returned else None,
        "pending": data.pending,
    }
