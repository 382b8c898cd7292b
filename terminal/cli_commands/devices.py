"""Device commands: meter reading over the RS-485 bus, self-service cash sales with the
note acceptor, and the port settings check (`ports list`, `ports test`)."""
from __future__ import annotations

import argparse
from typing import Any

from terminal import bootstrap
from terminal.cli_commands.common import session_of
from terminal.config import load_settings


def _reader(app: Any, ns: argparse.Namespace) -> Any:
    return bootstrap.build_meter_reader(app.settings, port=ns.port, baudrate=ns.baud, parity=ns.parity,
                                        timeout_s=ns.timeout)


def _reading_text(r: dict[str, Any]) -> str:
    def show(value: Any, unit: str = "") -> str:
        return "not kept by this meter" if value is None else f"{value} {unit}".strip()

    lines = [f"Meter address:    {r['address']}",
             f"Registered meter: {r['meter'] or 'none (reading shown, not recorded)'}",
             f"Total energy:     {show(r['total_kwh'], 'kWh')}",
             f"Remaining energy: {show(r['remaining_kwh'], 'kWh')}",
             f"Remaining money:  {show(r['remaining_money'])}",
             f"Purchase count:   {'unknown' if r['purchase_count'] is None else r['purchase_count']}"]
    if r.get("status"):
        lines.append(f"Relay:            {'open (supply off)' if r['status']['relay_open'] else 'closed'}")
    if r["recorded"]:
        lines.append(f"Recorded:         reading {r['reading_id']}")
    return "\n".join(lines)


def h_meter_read(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import readings
    app, s = session_of(g)
    out = readings.read_meter(app.ctx, s, ns.address, reader=_reader(app, ns))
    return out if g["json"] else _reading_text(out)


def h_meter_read_batch(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import readings
    app, s = session_of(g)
    addresses = [a for a in (ns.addresses or "").split(",") if a.strip()] or None
    out = readings.read_batch(app.ctx, s, addresses=addresses, area=ns.area, reader=_reader(app, ns))
    if out["stopped"] is not None:  # the port failed: what was read before stays recorded
        return out | {"error": out["stopped"]}, 2
    return out


def h_sell_cash(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    import signal
    import sys
    import threading

    from terminal.services import kiosk
    app, s = session_of(g)

    def show(event: str) -> None:
        if not g["json"]:
            print(f"  note acceptor: {event}", file=sys.stderr, flush=True)

    # Ctrl-C or SIGTERM is the customer's "done" button: the intake stops taking notes and
    # what was counted is sold; an interrupt must never lose money already in the cash box.
    done = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: done.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        out = kiosk.sell_cash(app.ctx, s, ns.meter, ns.amount, idle_timeout_s=ns.idle_timeout, cancel=done,
                              on_event=show)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if out["status"] == "completed":
        return out
    why = out["refusal"] or out["cash"]["problem"] or {
        "code": "NO_MONEY_COUNTED", "message": "no note was taken: nothing sold"}
    return out | {"error": why}, 2


def _ports(g: dict[str, Any]) -> list[Any]:
    return bootstrap.build_device_ports(load_settings(g["config"]))


def h_ports_list(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import device_ports
    return device_ports.list_ports(_ports(g))


def h_ports_test(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import device_ports
    return device_ports.test_port(_ports(g), ns.name, ns.address)


def _port_options(x: argparse.ArgumentParser) -> None:
    x.add_argument("--port", help="serial device of the RS-485 adapter (default: [meter_bus] port)")
    x.add_argument("--baud", type=int, help="default: [meter_bus] baudrate (2400)")
    x.add_argument("--parity", choices=("N", "E", "O"), help="default: [meter_bus] parity (E; N on ptys)")
    x.add_argument("--timeout", type=float, help="seconds for one answer (default: [meter_bus] timeout_s)")


def register(sub: Any) -> None:
    m = sub.add_parser("meter", help="meter reading over the RS-485 bus (DL/T 645)").add_subparsers(
        dest="sub", required=True)
    x = m.add_parser("read", help="read one meter: address, total energy, remaining credit, purchase count")
    x.add_argument("--address", required=True, help="the meter's 1-12 digit address (its meter number)")
    _port_options(x)
    x.set_defaults(handler=h_meter_read)
    x = m.add_parser("read-batch", help="centralized meter reading: every meter on the bus in turn")
    x.add_argument("--addresses", help="A,B,...; default: every installed meter with a bus address")
    x.add_argument("--area", help="only the installed meters of this area")
    _port_options(x)
    x.set_defaults(handler=h_meter_read_batch)

    x = sub.add_parser("sell-cash", help="self-service sale: take notes up to the amount, sell what was counted")
    x.add_argument("--meter", required=True)
    x.add_argument("--amount", required=True, help="the most the customer wants to pay")
    x.add_argument("--idle-timeout", type=float, help="seconds to wait for the next note "
                   "(default: [cash_acceptor] idle_timeout_s)")
    x.set_defaults(handler=h_sell_cash)

    p = sub.add_parser("ports", help="configured devices: do they answer? (no database needed)").add_subparsers(
        dest="sub", required=True)
    x = p.add_parser("list", help="every configured device and whether it answers")
    x.set_defaults(handler=h_ports_list)
    x = p.add_parser("test", help="exercise one device: meter_bus, cash_acceptor, card_reader or printer")
    x.add_argument("name", choices=("meter_bus", "cash_acceptor", "card_reader", "printer"))
    x.add_argument("--address", help="meter_bus: read this meter instead of the address on the line")
    x.set_defaults(handler=h_ports_test)
