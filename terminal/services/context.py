"""What every service needs from the outside world, built once by bootstrap."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from terminal.ledger import Ledger
from terminal.services.clock import Clock, iso
from terminal.services.ports import (
    CarrierFactory,
    CashAcceptor,
    DeviceEvents,
    MeterReader,
    ReceiptPrinter,
)


@dataclass
class Context:
    ledger: Ledger          # the terminal's ledger: `ledger.unit_of_work()` to write, `ledger.read()` to read
    terminal_id: str
    terminal_name: str
    utility: str
    clock: Clock
    carriers: CarrierFactory
    printer: ReceiptPrinter | None = None
    lockout_attempts: int = 5
    print_on_sale: bool = False
    extras: dict[str, object] = field(default_factory=dict)
    meter_reader: MeterReader | None = None     # [meter_bus]; None when no bus is configured
    cash_acceptor: CashAcceptor | None = None   # [cash_acceptor]; None for type "none"
    events: DeviceEvents | None = None          # device events (card in/out, notes, printer status)

    def now(self) -> datetime:
        return self.clock.now()

    def now_iso(self) -> str:
        return iso(self.clock.now())
