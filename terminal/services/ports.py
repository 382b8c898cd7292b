"""The device interfaces the services need. Concrete backends live in
`terminal/devices/` and are chosen by `terminal.bootstrap` from the config;
the services never import one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from threading import Event
from typing import Any, ClassVar, Protocol, get_type_hints


@dataclass(frozen=True)
class MeterRef:
    """What a carrier needs to know of a meter."""
    number: str
    carrier: str                      # "card", "sts"
    sts: dict[str, Any] | None = None  # SGC, TI, KRN, key type, EA, DKGA, base date for STS meters


# -- carriers (IC card, STS token, ...) ------------------------------------------------------

BLACKLISTED_CARDS = "blacklisted_cards"   # what a carrier may ask of the ledger (Carrier.needs)
LAST_STS_TID = "last_sts_tid"


@dataclass(frozen=True)
class LedgerFacts:
    """What the ledger knows that a carrier asked for in `Carrier.needs` (read-only, read by
    the service in the sale's own read view or unit of work); nothing else is filled in."""
    blacklisted_cards: frozenset[str] = frozenset()   # card serials (hex) selling refuses
    last_sts_tid: int | None = None                   # the meter's last STS token id


class CarrierRef(Protocol):
    """What a sale's `carrier_ref` column holds: a frozen dataclass per kind of carrier
    (`CardRef`, `TokenRef`, ...), written and read by `carrier_ref_text` / `carrier_ref_of`
    only. Its fields are int, str or datetime (None = absent)."""

    def restore(self, stored: Purchase) -> Purchase:
        """The purchase as it was carried, from the sale's stored figures and this reference."""


@dataclass(frozen=True)
class CardRef:
    """An IC card sale: the purchase record written (sequence, tariff index, the card's UTC
    time) and the card it was written to. Old ledgers hold `seq:N` or `card:S;seq:N`."""
    seq: int
    ti: int = 0
    utc: datetime | None = None
    card: str | None = None

    def restore(self, stored: Purchase) -> Purchase:
        return replace(stored, sequence=self.seq, tariff_index=self.ti, issued_at=self.utc or stored.issued_at,
                       ref=self)


@dataclass(frozen=True)
class TokenRef:
    """An STS sale: the token's 20 digits (the column holds the digits alone)."""
    token: str
    BARE: ClassVar[bool] = True   # the text is the single field's value, without its name

    def restore(self, stored: Purchase) -> Purchase:
        return replace(stored, ref=self)


def carrier_ref_text(ref: CarrierRef) -> str:
    """The one way a carrier reference becomes the `carrier_ref` column: `name:value` pairs
    joined by `;` (datetimes as UTC seconds with Z), absent fields left out; the value alone
    for a BARE reference."""
    pairs: list[tuple[str, str]] = []
    for f in fields(ref):  # type: ignore[arg-type]
        value = getattr(ref, f.name)
        if value is None:
            continue
        if isinstance(value, datetime):
            value = value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        pairs.append((f.name, str(value)))
    if getattr(ref, "BARE", False):
        return pairs[0][1]
    return ";".join(f"{k}:{v}" for k, v in pairs)


def carrier_ref_of(ref_type: type[CarrierRef], text: str) -> CarrierRef:
    """The reference a `carrier_ref` column holds, for the carrier's `ref_type` (its old forms too:
    the pairs in any order, absent ones taking their default)."""
    hints = get_type_hints(ref_type)
    names = [f.name for f in fields(ref_type)]  # type: ignore[arg-type]
    if getattr(ref_type, "BARE", False):
        return ref_type(**{names[0]: text})
    parts = dict(p.split(":", 1) for p in text.split(";") if ":" in p)
    unknown = set(parts) - set(names)
    if unknown:
        raise ValueError(f"carrier_ref {text!r}: no field {sorted(unknown)[0]} in {ref_type.__name__}")
    values: dict[str, Any] = {}
    for name, raw in parts.items():
        kind = hints[name]
        if kind is int or kind == int | None:
            values[name] = int(raw)
        elif kind is datetime or kind == datetime | None:
            values[name] = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        else:
            values[name] = raw
    return ref_type(**values)


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
    ref: CarrierRef | None = None     # what `reserve` made, stored with the sale as its carrier_ref
    facts: LedgerFacts = LedgerFacts()


@dataclass(frozen=True)
class CarrierLimits:
    """What a carrier can carry. `max_kwh`: the most energy (0.01 kWh) one purchase holds (the
    card's energy field, a token's amount); `exact_floor`: the largest deliverable energy <= K
    (STS: whole tenths of a kWh), None when any 0.01 kWh can be carried."""
    max_kwh: int
    exact_floor: Callable[[int], int] | None = None


@dataclass(frozen=True)
class Prechecked:
    """What a carrier learnt judging a purchase before the sale is committed: a meter reading
    it carries back (recorded with the sale), and who it came from (the card serial)."""
    reading: dict[str, Any] | None = None
    source: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A token the carrier made (STS): recorded in the ledger's token rows with the sale."""
    digits: str
    token_class: int = 0
    subclass: int = 0
    tid: int | None = None
    value: int | None = None


@dataclass(frozen=True)
class Reservation:
    """What a carrier makes before PENDING is committed: the sale's reference, and the token
    it issued for it, if any (recorded in the same commit)."""
    ref: CarrierRef
    token: IssuedToken | None = None


@dataclass(frozen=True)
class Delivery:
    ref: CarrierRef                   # what was written (with the card's serial) or handed over
    detail: dict[str, Any] = field(default_factory=dict)


class Carrier(Protocol):
    """Takes a purchase to the customer: an IC card, an STS token, ... A service asks only
    this: a new kind of carrier is a new adapter (and its `CarrierRef`), no service change.
    Errors are the classes of `terminal.services.errors`: a refusal (`CarrierRefused`,
    `DeviceAbsent`, ...) when nothing reached the carrier, `OutcomeUncertain` when it may have."""
    kind: str                         # the meter's carrier ("card", "sts"): the sale's `carrier` column
    ref_type: type[CarrierRef]        # the dataclass of its references
    needs: frozenset[str]             # LedgerFacts fields it needs (BLACKLISTED_CARDS, LAST_STS_TID)

    def limits(self) -> CarrierLimits: ...

    def precheck(self, purchase: Purchase) -> Prechecked:
        """Before anything is committed: refuse now what `deliver` would refuse (the card in the
        reader is read and judged, so a bad card leaves the ledger untouched)."""

    def reserve(self, purchase: Purchase) -> Reservation:
        """Inside the PENDING commit: the sale's reference (and the token made for it)."""

    def deliver(self, purchase: Purchase) -> Delivery:
        """Write the purchase and read it back."""

    def holds(self, purchase: Purchase) -> bool | None:
        """Recovery: does the carrier hold this purchase? None when it cannot tell now."""

    def take_back(self, purchase: Purchase) -> bool:
        """Reset for selling: remove the purchase if the meter has not taken it. True if removed."""


class TokenCarrier(Carrier, Protocol):
    """An STS keypad meter's carrier: also makes engineering and key change tokens."""

    def management_token(self, subclass: int, value: int, issued: datetime,
                         last_tid: int | None) -> IssuedToken: ...

    def key_change_tokens(self, new_settings: dict[str, Any]) -> list[IssuedToken]: ...

    def check_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Validate (and normalise) a meter's STS settings; raises with a code."""


class CarrierFactory(Protocol):
    def for_meter(self, meter: MeterRef) -> Carrier: ...


@dataclass(frozen=True)
class ReceiptDoc:
    """A receipt as the services write it: every value already text in the currency's form."""
    kind: str                                   # sale, reversal, amendment, z_report, test_page
    receipt_no: str
    issued_at: datetime
    terminal: str = ""
    operator: str = ""
    customer: str = ""
    meter: str = ""
    power_type: str = ""
    tariff_version: str = ""
    payment: str = ""
    lines: tuple[tuple[str, str, str], ...] = ()   # (label, detail, amount)
    tendered: str = ""
    energy: str = ""
    token: str = ""
    verify: dict[str, str] = field(default_factory=dict)   # what the QR vouches for
    extra: tuple[tuple[str, str], ...] = ()
    copy: bool = False


class ReceiptPrinter(Protocol):
    """The receipt printer and the invoice format that lays its receipts out."""

    def print_receipt(self, doc: ReceiptDoc, invoice_format: dict[str, Any]) -> dict[str, Any]:
        """Print one receipt; raises a PpmsError with a code (PRINTER_OFFLINE, ...)."""

    def check_format(self, invoice_format: dict[str, Any]) -> dict[str, Any]:
        """Validate an invoice format (INVOICE_FORMAT_* codes); returns it normalised."""

    def edit_format(self, invoice_format: dict[str, Any], key: str, value: str) -> dict[str, Any]: ...

    def default_format(self) -> dict[str, Any]: ...

    def preview_text(self, doc: ReceiptDoc, invoice_format: dict[str, Any]) -> list[str]:
        """The receipt's rows as text, laid out exactly as printed (screens, the demo)."""

    def probe(self) -> dict[str, Any]:
        """Whether the printer answers (for `ppms ports`)."""


# -- meter reading (DL/T 645 over RS-485) and the self-service note acceptor ------------------

@dataclass(frozen=True)
class MeterValues:
    """One reading as a meter reading device returns it (no I/O, no driver types).

    Energy in 0.01 kWh; `remaining_money` in the meter's own hundredths (DL/T 645 keeps
    XXXXXX.XX); `status_flags` = status word 3 << 16 | status word 1, None when unread."""
    address: str
    total_kwh: int
    remaining_kwh: int | None
    remaining_money: int | None
    purchase_count: int | None
    status_flags: int | None = None
    status: dict[str, Any] | None = None


class MeterReader(Protocol):
    """The meter reading device on one bus. Raises a PpmsError (DeviceError) with the
    driver's code (METER_NO_ANSWER, METER_PORT_UNAVAILABLE, ...)."""
    port: str

    def read(self, address: str) -> MeterValues:
        """Open the port, read one meter, close the port."""

    def read_each(self, addresses: list[str]) -> Iterator[tuple[str, MeterValues | Exception]]:
        """A batch on one open port: per address its values or the PpmsError that stopped it.
        A port failure raises out of the iterator (no meter can answer then)."""


@dataclass(frozen=True)
class CashIntake:
    """What a sale's note intake ended with (the acceptor's own TenderResult, in plain values).

    `counted` is the money in the cash box for this sale, minor units: the sum of
    `notes`, and exactly what the ledger must record as tendered."""
    amount_due: int
    counted: int
    outcome: str                      # "complete", "cancelled", "timed_out", "stopped"
    notes: tuple[int, ...] = ()       # the value of each note stacked, in order
    rejected: int = 0                 # notes refused or returned to the customer
    events: tuple[str, ...] = ()      # the intake's events in words, for the diary
    problem_code: str | None = None   # CASH_JAMMED, CASH_FRAUD, CASH_NO_ANSWER, ...
    problem_message: str | None = None


@dataclass(frozen=True)
class NoteEvent:
    """One note of an intake, as it happens: `stacking` just before a note in escrow is
    routed to the cash box, `credited` when it is there (the money counts). `number` is
    the event's place in the intake (from the validator's event counter, past its wrap)."""
    stage: str                        # "stacking" or "credited"
    number: int
    counter: int                      # the validator's event counter, 1..255
    bill_type: int
    value: int


class CashAcceptor(Protocol):
    """The self-service note acceptor. Device problems during the intake come back in
    `CashIntake.problem_code` with the money counted so far; only a failure before any
    note could be taken (port, bill table) raises a PpmsError. `on_note` runs for each
    NoteEvent before the next poll: a host commits it there."""

    def accept_up_to(self, due_minor: int, *, idle_timeout_s: float | None = None,
                     cancel: Event | None = None, on_event: Callable[[str], None] | None = None,
                     on_note: Callable[[NoteEvent], None] | None = None) -> CashIntake: ...

    def credits_after(self, number: int, counter: int | None) -> list[NoteEvent]:
        """After a crash: shut the acceptor, give back a note left in escrow, and return the
        credits the validator still buffers after event `counter` (numbered on from `number`;
        None: only shut it). Raises CASH_EVENTS_LOST when the validator no longer knows."""


class DevicePort(Protocol):
    """One configured device as `ppms ports` shows it."""
    name: str                         # "meter_bus", "cash_acceptor", "card_reader", "printer"

    def describe(self) -> dict[str, Any]:
        """Type and settings (no secrets)."""

    def probe(self) -> dict[str, Any]:
        """Does it answer? {"configured": bool, "answers": bool, ...; "error": {code, message}}."""

    def test(self, arg: str | None = None) -> dict[str, Any]:
        """Exercise it (a test page, a meter's address, a poll); raises a PpmsError on failure."""


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

    def make(self, card_type: str, meter_no: str, order: dict[str, Any] | None = None) -> CardInfo:
        """Personalise the blank card; a setting card carries `order` {sequence, time (UTC),
        max_power_w, alarm_level (0.01 kWh)}, a clear card {sequence, time, clear: [tamper,
        credit, events]}."""

    def format(self) -> CardInfo: ...


# -- device events (card in/out, notes, printer status, sync) -------------------------------

@dataclass(frozen=True)
class CardInserted:
    reader: str
    atr: str                          # hex


@dataclass(frozen=True)
class CardRemoved:
    reader: str


@dataclass(frozen=True)
class NoteCredited:
    """A note reached the cash box: money counted (minor units)."""
    value: int
    bill_type: int


@dataclass(frozen=True)
class NoteRejected:
    """A note refused or given back to the customer."""
    reason: str


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    paper_low: bool = False
    error_code: str | None = None     # PRINTER_OFFLINE, ... when not online


@dataclass(frozen=True)
class SyncFinished:
    ok: bool
    records: int = 0                  # outbox records the center took
    error_code: str | None = None


DeviceEvent = CardInserted | CardRemoved | NoteCredited | NoteRejected | PrinterStatus | SyncFinished
DeviceListener = Callable[[DeviceEvent], None]


class EventSubscription(Protocol):
    """One listener's place at the dispatcher."""
    name: str
    dropped: int                      # events lost to a full queue (the oldest go first)
    failures: int                     # calls of the listener that raised


class DeviceEvents(Protocol):
    """Device events for whoever listens (the kiosk, a status bar), without importing a driver.
    `publish` never blocks the device's thread; each listener gets the events in order on a
    thread of its own; a slow or failing listener delays or loses only its own events."""

    def publish(self, event: DeviceEvent) -> None: ...

    def subscribe(self, listener: DeviceListener, *, name: str = "listener") -> EventSubscription: ...

    def unsubscribe(self, subscription: EventSubscription) -> None: ...

    def close(self) -> None:
        """No more events: deliver what is queued, then stop every listener."""
