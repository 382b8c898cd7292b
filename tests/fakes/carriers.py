"""Fake carriers for the services' tests.

`FakeCarrier`: scriptable, behaves like an IC card that can be removed, refuse a purchase,
or fail half-way, so the sale state machine can be driven through every branch without
hardware. `VoucherCarrier`: a third kind of carrier (a printed voucher code the meter's
keypad takes), with its own reference type, to show a new kind needs no service change."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from terminal.services.errors import CardRefused, DeviceAbsent, DeviceError, OutcomeUncertain
from terminal.services.ports import (
    CardRef,
    CarrierLimits,
    Delivery,
    MeterRef,
    Prechecked,
    Purchase,
    Reservation,
)

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
    max_credit: int = 0xFFFFFFFF            # 0.01 kWh, as a card's energy field
    ref_type = CardRef
    needs: frozenset[str] = frozenset()

    def limits(self) -> CarrierLimits:
        return CarrierLimits(max_kwh=self.max_credit, exact_floor=self.floor)

    def precheck(self, purchase: Purchase) -> Prechecked:
        return Prechecked()

    def reserve(self, purchase: Purchase) -> Reservation:
        return Reservation(CardRef(seq=purchase.sequence, ti=purchase.tariff_index))

    def deliver(self, purchase: Purchase) -> Delivery:
        if self.fail_before_write:
            raise refusal_class(self.fail_before_write)(f"card refused: {self.fail_before_write}")
        self.card.purchases[purchase.sequence] = purchase.sale_uuid
        if self.fail_after_write:
            self.card.present = False
            raise OutcomeUncertain.for_code(self.fail_after_write)("card removed before read-back")
        return Delivery(ref=CardRef(seq=purchase.sequence, ti=purchase.tariff_index, card="fa" * 8))

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


# ---- a third kind of carrier ------------------------------------------------------------

@dataclass(frozen=True)
class VoucherRef:
    """A voucher sale's reference: the voucher's code and the meter's purchase number."""
    code: str
    n: int

    def restore(self, stored: Purchase) -> Purchase:
        return replace(stored, sequence=self.n, ref=self)


@dataclass
class VoucherCarrier:
    """Vouchers in whole kWh up to 999,999 kWh (its limits), made before the sale is committed, handed over at once;
    one not yet keyed in can be cancelled."""
    keyed: set[str]                          # voucher codes the meter has taken
    jammed: bool = False                     # the voucher printer stops half-way (uncertain)
    kind: str = "voucher"
    ref_type = VoucherRef
    needs: frozenset[str] = frozenset()

    def limits(self) -> CarrierLimits:
        return CarrierLimits(max_kwh=999_999_00, exact_floor=lambda k: k - k % 100)   # up to 999,999 kWh

    def precheck(self, purchase: Purchase) -> Prechecked:
        return Prechecked()

    def reserve(self, purchase: Purchase) -> Reservation:
        digest = hashlib.sha256(f"{purchase.meter.number}:{purchase.sequence}:{purchase.credit_kwh}".encode())
        return Reservation(VoucherRef(code=digest.hexdigest()[:12], n=purchase.sequence))

    def deliver(self, purchase: Purchase) -> Delivery:
        assert isinstance(purchase.ref, VoucherRef)
        if self.jammed:
            raise OutcomeUncertain.for_code("VOUCHER_PRINT_JAMMED")("the voucher printer jammed mid-print")
        return Delivery(ref=purchase.ref, detail={"voucher": purchase.ref.code})

    def holds(self, purchase: Purchase) -> bool | None:
        return isinstance(purchase.ref, VoucherRef)

    def take_back(self, purchase: Purchase) -> bool:
        return isinstance(purchase.ref, VoucherRef) and purchase.ref.code not in self.keyed


class VoucherCarriers:
    def __init__(self) -> None:
        self.keyed: set[str] = set()
        self.jammed = False

    def for_meter(self, meter: MeterRef) -> VoucherCarrier:
        return VoucherCarrier(self.keyed, self.jammed)
