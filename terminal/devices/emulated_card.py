"""The first emulated card's name, kept for its callers (tests/integration/crash_seller.py).

The emulated IC card is now `terminal.devices.card_emulated`: the real card adapter over
the in-memory SLE4442 reader, a card "as the ledger expects it" (cli.md)."""
from __future__ import annotations

from terminal.devices.card_emulated import EmulatedCards


class EmulatedCarriers(EmulatedCards):
    def __init__(self, profile: str = "acr39", utility_code: int = 1, secret_file: str = "") -> None:
        super().__init__(profile, utility_code, secret_file)
