"""A scriptable fake carrier: behaves like an IC card that can be removed,
refuse a purchase, or fail half-way, so the sale state machine can be driven
through every branch without hardware."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from terminal.services.errors import CardRefused, DeviceAbsent, DeviceError, OutcomeUncertain
from terminal.services.ports import Delivery, MeterRef, Purchase

# what a refusal before the write is, by its code, as the card adapter's driver map makes it
ABSENT_CODES = ("CARD_ABSENT", "CARD_REMOVED", "READER_NOT_FOUND")


def refusal_class(code: str) -> type[DeviceError]:
    return (DeviceAbsent if code in ABSENT_CODES else CardRefused).for_code(code)


@dataclass
class FakeCard:
    purchases: dict[int, str] = field(default_factory=dict)   # sequence -> sale uuid
    present: bool = True
    consumed: set[int] = field(default_factory=set)          # sequences the meter has taken


@dataclass
class FakeCarrier:
    card: FakeCard
    kind: str = "card"
    fail_before_write: str | None = None   # an error code: refused, nothing written
    fail_after_write: str | None = None    # an error code: written but not read back (uncertain)
    floor: Callable[[int], int] | None = None

    def exact_floor(self) -> Callable[[int], int] | None:
        return self.floor

    def reserve(self, purchase: Purchase) -> None:
        return None

    def deliver(self, purchase: Purchase) -> Delivery:
        if self.fail_before_write:
            raise refusal_class(self.fail_before_write)(f"card refused: {self.fail_before_write}")
        self.card.purchases[purchase.sequence] = purchase.sale_uuid
        if self.fail_after_write:
            self.card.present = False
            raise OutcomeUncertain.for_code(self.fail_after_write)("card removed before read-back")
        return Delivery(carrier_ref=f"FAKE#{purchase.sequence}")

    def holds(self, purchase: Purchase) -> bool | None:
        if not self.card.present:
            return None
        return self.card.purchases.get(purchase.sequence) == purchase.sale_uuid

    def take_back(self, purchase: Purchase) -> bool:
        if purchase.sequence in self.card.consumed:
            return False
        self.card.purchases.pop(purchase.sequence, None)
        return True


class FakeCarriers:
    def __init__(self) -> None:
        self.cards: dict[str, FakeCard] = {}
        self.script: dict[str, dict[str, object]] = {}

    def for_meter(self, meter: MeterRef) -> FakeCarrier:
        card = self.cards.setdefault(meter.number, FakeCard())
        opts = self.script.get(meter.number, {})
        return FakeCarrier(card, **opts)  # type: ignore[arg-type]
