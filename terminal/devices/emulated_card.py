"""The emulated IC card: the no-hardware carrier for demos, scripts and tests.

Each process gets, for the meter it sells to, an in-memory card as the ledger
expects it: its meter has already taken every earlier purchase. A purchase is
on the card only once `deliver` wrote it in this process, so recovery after a
crash finds a PENDING purchase absent and voids it — as it would with a real
card that the write never reached.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from terminal.services.ports import Delivery, MeterRef, Purchase


@dataclass
class EmulatedCard:
    meter_no: str
    purchases: dict[int, Purchase] = field(default_factory=dict)

    @property
    def serial(self) -> str:
        return f"EMU-{self.meter_no}"


class EmulatedCardCarrier:
    kind = "card"

    def __init__(self, card: EmulatedCard) -> None:
        self.card = card

    def exact_floor(self) -> Callable[[int], int] | None:
        return None

    def reserve(self, purchase: Purchase) -> None:
        return None

    def deliver(self, purchase: Purchase) -> Delivery:
        self.card.purchases[purchase.sequence] = purchase
        return Delivery(carrier_ref=f"{self.card.serial}#{purchase.sequence}",
                        detail={"card": self.card.serial, "sequence": purchase.sequence})

    def holds(self, purchase: Purchase) -> bool | None:
        held = self.card.purchases.get(purchase.sequence)
        return held is not None and held.sale_uuid == purchase.sale_uuid

    def take_back(self, purchase: Purchase) -> bool:
        # the emulated meter takes every purchase at once: nothing is left to remove,
        # but the ledger's reversal still stands (a contra-posting), as cli.md's emulated mode says
        self.card.purchases.pop(purchase.sequence, None)
        return True


class EmulatedCarriers:
    """One emulated card per meter number, for the life of the process."""

    def __init__(self) -> None:
        self.cards: dict[str, EmulatedCard] = {}

    def for_meter(self, meter: MeterRef) -> EmulatedCardCarrier:
        card = self.cards.setdefault(meter.number, EmulatedCard(meter.number))
        return EmulatedCardCarrier(card)
