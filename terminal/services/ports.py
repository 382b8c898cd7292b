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
    carrier_state: dict[str, Any] = field(default_factory=dict)  # e.g. the meter's last STS TID


@dataclass(frozen=True)
class Reservation:
    """What a carrier makes before the sale is committed (an STS token): stored with it."""
    ref: str                          # becomes the sale's carrier_ref (the 20 digits)
    token_class: int = 0
    subclass: int = 0
    tid: int | None = None
    value: int | None = None


@dataclass(frozen=True)
class Delivery:
    carrier_ref: str                  # card serial/sequence or the token digits
    detail: dict[str, Any] = field(default_factory=dict)


class Carrier(Protocol):
    """Takes a purchase to the customer: an IC card or an STS token."""
    kind: str

    def exact_floor(self) -> Callable[[int], int] | None:
        """The largest deliverable energy <= K, or None when any 0.01 kWh can be carried."""

    def reserve(self, purchase: Purchase) -> Reservation | None:
        """Before PENDING is committed: what must be stored with the sale (a token), or None."""

    def deliver(self, purchase: Purchase) -> Delivery:
        """Write the purchase and read it back. Raises a PpmsError with a code on failure;
        `.details['uncertain']` True when the purchase may have reached the carrier."""

    def holds(self, purchase: Purchase) -> bool | None:
        """Recovery: does the carrier hold this purchase? None when it cannot tell now."""

    def take_back(self, purchase: Purchase) -> bool:
        """Reset for selling: remove the purchase if the meter has not taken it. True if removed."""


class TokenCarrier(Carrier, Protocol):
    """An STS keypad meter's carrier: also makes engineering and key change tokens."""

    def management_token(self, subclass: int, value: int, issued: datetime,
                         last_tid: int | None) -> Reservation: ...

    def key_change_tokens(self, new_settings: dict[str, Any]) -> list[Reservation]: ...

    def check_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Validate (and normalise) a meter's STS settings; raises with a code."""


class CarrierFactory(Protocol):
    def for_meter(self, meter: MeterRef) -> Carrier: ...


class ReceiptPrinter(Protocol):
    """Prints a receipt document (a plain dict the devices layer lays out)."""

    def print_receipt(self, receipt: dict[str, Any]) -> None: ...


class CheckedCarrier(Carrier, Protocol):
    """A carrier that can refuse before the sale is committed (the IC card: the card in the
    reader is read and judged first, so a bad card leaves the ledger untouched)."""

    def precheck(self, purchase: Purchase) -> dict[str, Any]:
        """Raise a PpmsError with a code when `deliver` would refuse this purchase now.
        Returns what it learnt: `{"card": serial hex, "reading": {...} | None}`."""


@dataclass(frozen=True)
class CardInfo:
    """A card as read and verified by the card station (`ppms card read`, making, formatting)."""
    blank: bool
    card_serial: str | None            # hex
    card_type: str | None              # "user", "check", "setting", "clear", "test", "reading"
    meter: str | None                  # "" = any meter (service cards)
    attempts_left: int                 # PSC attempts left (3 healthy; our software never goes below 2)
    pending: bool                      # a purchase the meter has not accepted yet
    purchase: dict[str, Any] | None    # sequence, kwh (0.01 kWh int), time (ISO UTC), tariff_index
    returned: dict[str, Any] | None    # meter, last_sequence, remaining, cumulative (0.01 kWh ints),
                                       # flags (int), flag_names, time (ISO UTC)
    view: dict[str, Any] = field(default_factory=dict)  # the JSON view of the whole card


class CardStation(Protocol):
    """Card maintenance at the terminal's reader: read, make, format."""

    def read(self) -> CardInfo: ...

    def make(self, card_type: str, meter_no: str) -> CardInfo: ...

    def format(self) -> CardInfo: ...
