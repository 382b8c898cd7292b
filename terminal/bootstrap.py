"""The one wiring function: settings -> database, devices, services context.

Production, the CLI, the demo and the tests all build the terminal here; they
differ only in the settings (and the tests in the backends they pass in).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from terminal import logs
from terminal.config import Settings, load_settings
from terminal.devices.printer import EscposReceiptPrinter
from terminal.devices.sts import StsCarriers
from terminal.domain.money import currency
from terminal.files import check_database_file
from terminal.ledger import Ledger
from terminal.services import ports, stored_settings
from terminal.services.clock import Clock, FixedClock, SystemClock, parse_fake_now
from terminal.services.context import Context
from terminal.services.errors import FakeClockRefused, InvalidArgument, NotInitialised
from terminal.services.events import EventDispatcher
from terminal.services.ports import (
    Carrier,
    CarrierFactory,
    CashAcceptor,
    DeviceEvents,
    DevicePort,
    MeterReader,
    MeterRef,
    ReceiptPrinter,
)


class CarrierRouter:
    """Picks the carrier by the meter's kind: IC card or STS token."""

    def __init__(self, by_kind: Mapping[str, CarrierFactory]) -> None:
        self.by_kind = dict(by_kind)

    def for_meter(self, meter: MeterRef) -> Carrier:
        factory = self.by_kind.get(meter.carrier)
        if factory is None:
            raise InvalidArgument(f"this terminal has no {meter.carrier} carrier configured", key="carrier")
        return factory.for_meter(meter)


@dataclass
class App:
    settings: Settings
    ledger: Ledger
    ctx: Context

    @property
    def db(self) -> SqliteDatabase:
        """The ledger's database (tests and `ppms init` read its path)."""
        return self.ledger.db

    def close(self) -> None:
        if self.ctx.events is not None:
            self.ctx.events.close()
        self.ledger.close()


def build_cards(settings: Settings) -> Any:
    """The IC-card devices of `[card_reader]`: a carrier factory with `.station()` for maintenance.
    The card secret is read on first use (DEVICE_NOT_CONFIGURED when missing for "pcsc")."""
    cr = settings.card_reader
    if cr.type == "emulated":
        from terminal.devices.card_emulated import EmulatedCards
        return EmulatedCards(cr.profile, cr.utility_code, cr.secret_file)
    from terminal.devices.card import PcscCards
    return PcscCards(cr.reader, cr.profile, cr.utility_code, cr.secret_file)


def build_carriers(settings: Settings, cards: Any = None) -> CarrierFactory:
    kinds: dict[str, CarrierFactory] = {}
    kinds["card"] = cards if cards is not None else build_cards(settings)
    kinds["sts"] = StsCarriers(settings.sts.key_file)
    return CarrierRouter(kinds)


def build_printer(settings: Settings, events: DeviceEvents | None = None) -> ReceiptPrinter:
    return EscposReceiptPrinter(settings.printer, events)


def build_meter_reader(settings: Settings, **override: object) -> MeterReader | None:
    """The DL/T 645 reader on `[meter_bus]` (None when no port is set); `override` takes the
    command line's port, baudrate, parity and timeout_s (None = keep the config's)."""
    from terminal.devices import meter_bus
    if not any(v is not None for v in override.values()):
        return meter_bus.build(settings.meter_bus)
    if not (override.get("port") or settings.meter_bus.port):
        return None
    return meter_bus.DltMeterReader(meter_bus.port_settings(settings.meter_bus, **override))


def build_cash_acceptor(settings: Settings, decimals: int = 2,
                        events: DeviceEvents | None = None) -> CashAcceptor | None:
    from terminal.devices import cash_acceptor
    return cash_acceptor.build(settings.cash_acceptor, decimals, events)


def sts_support_tools() -> Any:
    """`ppms sts token|decode`: the STS engine's support commands over a key file (no ledger)."""
    from hardware.sts import commands
    return commands


def build_device_ports(settings: Settings) -> list[DevicePort]:
    """`ppms ports`: every configured device (needs no database)."""
    from terminal.devices import probes
    return probes.build(settings)


def build_clock(env: Mapping[str, str], fake_allowed: bool) -> Clock:
    fake = env.get("PPMS_FAKE_NOW")
    if not fake:
        return SystemClock()
    if not fake_allowed:
        raise FakeClockRefused("PPMS_FAKE_NOW is set but this database was not initialised with "
                               "--allow-fake-clock; unset it")
    return FixedClock(parse_fake_now(fake))


def build(config: str | Path | None = None, db_path: str | Path | None = None,
          env: Mapping[str, str] | None = None, initialising: bool = False,
          allow_fake_clock: bool = False, carriers: CarrierFactory | None = None,
          printer: ReceiptPrinter | None = None, card_station: ports.CardStation | None = None,
          seal_key_file: str | Path | None = None) -> App:
    env = os.environ if env is None else env
    settings = load_settings(config, env)
    path = Path(db_path or settings.database.path)
    if not initialising and not path.exists():
        raise NotInitialised(f"no database at {path}: run `ppms init` first", path=str(path))
    check_database_file(path, key="--db" if db_path else "database.path")
    ledger = Ledger(path, terminal_id=settings.terminal.id, busy_timeout_s=settings.database.busy_timeout_s,
                    clock_tolerance_s=settings.database.clock_tolerance_s, min_free_mb=settings.database.min_free_mb,
                    warn_free_mb=settings.database.warn_free_mb,
                    seal_key_file=seal_key_file or settings.database.seal_key_file or None)
    decimals = 2
    lockout = settings.security.lockout_attempts
    if initialising:
        fake_ok = allow_fake_clock
    else:
        with ledger.read() as r:
            if not r.operators.any():
                raise NotInitialised(f"database {path} is not initialised: run `ppms init`", path=str(path))
            fake_ok = r.meta.get("allow_fake_clock") == "1"
            tid = r.meta.get("terminal_id")
            code = r.meta.get("currency")
            lockout = lockout_ceiling(lockout, r.meta.get("lockout_attempts"))
            settings = stored_settings.applied(settings, r)   # the port set and parameters stored in the ledger
        ledger.warn_free_mb = settings.database.warn_free_mb    # `disk.warn_free_mb` over the config's
        if code is not None:
            decimals = currency(code).decimals
        if tid and tid != settings.terminal.id:
            settings = _with_terminal_id(settings, tid)
            ledger.terminal_id = tid
    clock = build_clock(env, fake_ok)
    if carriers is None:
        cards = build_cards(settings)
        carriers = build_carriers(settings, cards)
        card_station = card_station or cards.station()
    events = EventDispatcher()
    ctx = Context(
        ledger=ledger, terminal_id=settings.terminal.id, terminal_name=settings.terminal.name,
        utility=settings.terminal.utility, clock=clock,
        carriers=carriers,
        printer=printer if printer is not None else build_printer(settings, events),
        lockout_attempts=lockout,
        print_on_sale=settings.printer.print_on_sale,
        meter_reader=build_meter_reader(settings),
        cash_acceptor=build_cash_acceptor(settings, decimals, events),
        events=events,
    )
    if card_station is not None:
        ctx.extras["card_station"] = card_station
    logs.bind(terminal=ctx.terminal_id)
    return App(settings=settings, ledger=ledger, ctx=ctx)


def kiosk_card_events(app: App) -> Any:
    """The kiosk's card reader events: the emulated reader's slot (a replay puts a meter's card
    in it; it is also the card station the kiosk reads) or the PC/SC reader's watcher, both
    publishing CardInserted / CardRemoved to the app's device events. (slot, watcher)."""
    from terminal.devices.card import PcscCards
    from terminal.devices.card_emulated import CardSlot, EmulatedCards
    carriers = app.ctx.carriers
    cards = carriers.by_kind.get("card") if isinstance(carriers, CarrierRouter) else None
    if isinstance(cards, EmulatedCards):
        slot = CardSlot(cards, app.ctx.events)
        app.ctx.extras["card_station"] = slot
        return slot, None
    if isinstance(cards, PcscCards) and app.ctx.events is not None:
        return None, cards.watch(app.ctx.events)
    return None, None


def lockout_ceiling(configured: int, kept: str | None) -> int:
    """The ledger keeps the lockout set at `ppms init` (security.lockout_attempts then, `kept`;
    5 for a ledger made before it was kept): a later config file may make it stricter, never looser."""
    return min(configured, int(kept) if kept and kept.isdigit() else 5)


def _with_terminal_id(settings: Settings, tid: str) -> Settings:
    """The database's terminal id wins: receipt numbers must not change prefix mid-ledger."""
    return replace(settings, terminal=replace(settings.terminal, id=tid))

