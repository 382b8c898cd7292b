"""Plain values of the cash acceptor: settings, bill table, events, tender result."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hardware.cash import codec
from hardware.cash.errors import CashError, CashSettingsError


@dataclass(frozen=True)
class CashSettings:
    """Serial and ccTalk settings of the bill validator (ccTalk: 9600 8N1)."""

    port: str
    baudrate: int = 9600
    parity: str = "N"
    timeout_s: float = 0.5
    retries: int = 2
    address: int = codec.BILL_VALIDATOR_ADDRESS
    host_address: int = codec.HOST_ADDRESS
    poll_interval_s: float = 0.2

    def __post_init__(self) -> None:
        if self.parity not in ("N", "E", "O"):
            raise CashSettingsError(f"Parity must be N, E or O, not {self.parity!r}.")
        if self.baudrate <= 0 or self.timeout_s <= 0 or self.retries < 0:
            raise CashSettingsError("Baud rate and timeout must be positive, retries >= 0.")
        if not (0 < self.address < 256 and 0 < self.host_address < 256):
            raise CashSettingsError("ccTalk addresses are 1..255.")
        if self.poll_interval_s <= 0:
            raise CashSettingsError("The poll interval must be positive.")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> CashSettings:
        """From a config table (keys as the fields; ``baud``/``timeout`` also accepted)."""
        aliases = {"baud": "baudrate", "timeout": "timeout_s"}
        known = {"port", "baudrate", "parity", "timeout_s", "retries", "address",
                 "host_address", "poll_interval_s"}
        kwargs: dict[str, object] = {}
        for key, value in values.items():
            name = aliases.get(key, key)
            if name not in known:
                raise CashSettingsError(f"Unknown cash acceptor setting {key!r}.")
            kwargs[name] = value
        if "port" not in kwargs:
            raise CashSettingsError("The cash acceptor setting 'port' is missing.")
        try:
            return cls(**kwargs)  # type: ignore[arg-type]
        except TypeError as exc:
            raise CashSettingsError(f"Bad cash acceptor settings: {exc}") from exc


@dataclass(frozen=True)
class BillTable:
    """Configured value of each bill type, integer minor units (e.g. {1: 5000} = 50.00)."""

    values: Mapping[int, int]

    def __post_init__(self) -> None:
        for bt, value in self.values.items():
            if not 1 <= bt <= 16 or not isinstance(value, int) or value <= 0:
                raise CashSettingsError(
                    f"Bill type {bt} with value {value!r}: types are 1..16, values positive "
                    "integers in minor units.")

    @classmethod
    def from_config(cls, values: Mapping[str, str] | Mapping[int, str],
                    decimals: int = 2) -> BillTable:
        """From a config table of decimal strings, e.g. {"1": "50.00", "2": "100.00"}."""
        table: dict[int, int] = {}
        for key, text in values.items():
            whole, _, frac = str(text).strip().partition(".")
            if not whole.isdigit() or len(frac) > decimals or (frac and not frac.isdigit()):
                raise CashSettingsError(
                    f"Bill type {key}: {text!r} is not an amount with up to {decimals} decimals.")
            try:
                bill_type = int(key)
            except ValueError as exc:
                raise CashSettingsError(f"Bill type {key!r} is not a number.") from exc
            table[bill_type] = int(whole) * 10 ** decimals + int(frac.ljust(decimals, "0") or 0)
        return cls(table)

    def value_of(self, bill_type: int) -> int | None:
        return self.values.get(bill_type)

    @property
    def bill_types(self) -> frozenset[int]:
        return frozenset(self.values)


# ------------------------------------------------------------------ events
@dataclass(frozen=True)
class CreditAccepted:
    """A note went into the cash box: this money is counted."""

    bill_type: int
    value_minor: int
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class BillEscrowed:
    """A valid note is held in escrow, waiting to be stacked or returned."""

    bill_type: int
    value_minor: int | None
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class BillReturned:
    """The note in escrow was given back to the customer."""

    reason: str
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class BillRejected:
    code: int
    reason: str
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class BillJammed:
    code: int
    reason: str
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class FraudAttempt:
    code: int
    reason: str
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class DeviceFault:
    code: int
    reason: str
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class UnknownBillStacked:
    """A note of no configured value went into the cash box (type 0 = unknown)."""

    bill_type: int
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


@dataclass(frozen=True)
class StatusReport:
    code: int
    reason: str
    counter: int = field(default=0, compare=False)  # the validator's event counter (1..255)


BillEvent = (CreditAccepted | BillEscrowed | BillReturned | BillRejected | BillJammed
             | FraudAttempt | DeviceFault | UnknownBillStacked | StatusReport)


def to_event(result: tuple[int, int], table: BillTable) -> BillEvent:
    """One ccTalk result pair as an event, valued through the bill table."""
    a, b = result
    if a:
        value = table.value_of(a)
        if b == 1:
            return BillEscrowed(a, value)
        if value is None:
            return UnknownBillStacked(a)
        return CreditAccepted(a, value)
    category, text = codec.describe_status(b)
    if category is codec.Category.RETURNED:
        return BillReturned(text)
    if category is codec.Category.REJECT:
        return BillRejected(b, text)
    if category is codec.Category.JAM:
        return BillJammed(b, text)
    if category is codec.Category.FRAUD:
        return FraudAttempt(b, text)
    if category is codec.Category.FAULT:
        return DeviceFault(b, text)
    if category is codec.Category.UNKNOWN_STACKED:
        return UnknownBillStacked(0)
    return StatusReport(b, text)


@dataclass(frozen=True)
class TenderResult:
    """What a sale's cash intake ended with.

    ``total_minor`` is the money in the cash box for this sale: exactly the sum of the
    ``CreditAccepted`` events, and what the ledger records as tendered.  ``outcome`` is
    "complete" (enough money), "cancelled", "timed_out" or "stopped" (see ``problem``).
    """

    amount_due_minor: int
    total_minor: int
    outcome: str
    events: tuple[BillEvent, ...] = ()
    problem: CashError | None = field(default=None, compare=False)

    @property
    def credited_minor(self) -> int:
        return sum(e.value_minor for e in self.events if isinstance(e, CreditAccepted))

    @property
    def complete(self) -> bool:
        return self.outcome == "complete"
