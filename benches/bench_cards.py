"""Card path figures on the in-memory card: codec speed and APDUs per operation."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from hardware.cards import CardTerminal, Purchase, UtilityKeys
from hardware.cards import layout as L
from hardware.cards.fake import FakeCardReader, Sle4442Chip


def run() -> dict[str, Any]:
    keys = UtilityKeys(1234, b"bench secret")
    t = datetime(2026, 1, 1, tzinfo=UTC)
    data = L.CardData(L.Identity(L.CardType.USER, 1234, b"\x01" * 8, "0123456789"),
                      L.Purchase(1, 5651, t), L.ReturnData("0123456789", 1, 10, 20, L.MeterStatus.NONE, t))
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        mem = L.encode_card(data, keys)
    encode_us = (time.perf_counter() - start) / n * 1e6
    start = time.perf_counter()
    for _ in range(n):
        L.decode_card(mem, keys)
    decode_us = (time.perf_counter() - start) / n * 1e6
    out: dict[str, Any] = {"layout_encode_us": round(encode_us, 1), "layout_decode_us": round(decode_us, 1)}
    for profile in ("acr38", "acr39"):
        reader = FakeCardReader(profile)
        reader.insert(Sle4442Chip.blank())
        term = CardTerminal(reader.connect, profile, keys)
        before = reader.apdus
        term.make_user_card("0123456789")
        made = reader.apdus - before
        before = reader.apdus
        start = time.perf_counter()
        term.write_purchase("0123456789", Purchase(1, 5651, t))
        sale_ms = (time.perf_counter() - start) * 1e3
        out[profile] = {"apdus_make": made, "apdus_sale": reader.apdus - before, "sale_ms_fake": round(sale_ms, 2)}
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
