"""A whole sale onto the (in-memory) IC card through the services: the card is read and
judged, PENDING committed, the purchase written and read back, COMPLETED committed.
Figures: milliseconds per sale, APDUs per sale."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from hardware.cards.fake import Sle4442Chip
from terminal.services import cards, selling


def run() -> dict[str, Any]:
    from tests.unit.cards_service.conftest import METER, CardWorld

    out: dict[str, Any] = {}
    for profile in ("acr38", "acr39"):
        with tempfile.TemporaryDirectory() as tmp:
            w = CardWorld(Path(tmp), profile)
            cards.make(w.ctx, w.admin, "user", METER)
            n, elapsed, apdus = 30, 0.0, 0
            for _ in range(n):
                w.into_meter()   # the meter takes the last purchase (not timed)
                before = w.reader.apdus
                start = time.perf_counter()
                selling.sell(w.ctx, w.admin, METER, "200.00")
                elapsed += time.perf_counter() - start
                apdus += w.reader.apdus - before
            assert isinstance(w.reader.chip, Sle4442Chip)
            w.app.close()
        out[f"sale_onto_card_ms_{profile}"] = round(elapsed / n * 1000, 2)
        out[f"apdus_per_sale_{profile}"] = apdus // n
    return out
