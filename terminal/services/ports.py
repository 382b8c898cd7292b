"""The device interfaces the services need. Concrete backends live in
`terminal/devices/` and are chosen by `terminal.bootstrap` from the config;
the services never import one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Protocol


@dataclass(frozen=True)
class MeterRef:
    """What a carrier needs to know of a meter."""
    number: str
    carrier: str                      # "card", "sts"
    sts: dict[str, Any] | None = None  # SGC, TI, KRN, key type, EA, DKGA, base date for STS meters


@dataclass(frozen=True)
class Purchase:
    """One sale's credit, as it must reach the meter."""
    sale_uuid: str
    receipt_no: str
    meter: MeterRef
    sequence: int                     # the meter's purchase number (1, 2, ...)
    credit_kwh: int                   # 0.01 kWh, bought + free
    issued_at: datetime
    tariff_index: int = 0
    reservation: str | None = None    # what `reserve` returned (the STS token), stored with the sale


@dataclass(frozen=True)
class Delivery:
    carrier_ref: str                  # card serial/sequence or the token digits
    detail: dict[str, Any] = field(default_factory=dict)


class Carrier(Protocol):
    """Takes a purchase to the customer: an IC card or an STS token."""
    kind: str

    def exact_floor(self) -> Callable[[int], int] | None:
        """The largest deliverable energy <= K, or None when any 0.01 kWh can be carried."""

    def reserve(self, purchase: Purchase) -> str | None:
        """Before PENDING is committed: what must be stored with the sale (a token), or None."""

    def deliver(self, purchase: Purchase) -> Delivery:
        """Write the purchase and read it back. Raises a PpmsError with a code on failure;
        `.details['uncertain']` True when the purchase may have reached the carrier."""

    def holds(self, purchase: Purchase) -> bool | None:
        """Recovery: does the carrier hold this purchase? None when it cannot tell now."""

    def take_back(self, purchase: Purchase) -> bool:
        """Reset for selling: remove the purchase if the meter has not taken it. True if removed."""


class CarrierFactory(Protocol):
    def for_meter(self, meter: MeterRef) -> Carrier: ...


class ReceiptPrinter(Protocol):
    """Prints a receipt document (a plain dict the devices layer lays out)."""

    def print_receipt(self, receipt: dict[str, Any]) -> None: ...
