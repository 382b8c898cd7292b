"""IC-card commands: `card make|read|format|blacklist|unblacklist|show` and
`sale rewrite ID` (error-tolerance selling). They parse and call `terminal.services.cards`."""
from __future__ import annotations

import argparse
from typing import Any

from terminal.cli_commands.common import session_of


def h_make(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import cards
    app, s = session_of(g)
    return cards.make(app.ctx, s, ns.type, ns.meter, max_power_w=ns.max_power_w, alarm_kwh=ns.alarm_kwh,
                      clear=[c.strip() for c in ns.clear.split(",") if c.strip()] if ns.clear else None)


def h_read(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import cards
    app, s = session_of(g)
    return cards.read(app.ctx, s)


def h_format(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import cards
    app, s = session_of(g)
    return cards.format_card(app.ctx, s)


def h_blacklist(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import cards
    app, s = session_of(g)
    return cards.blacklist(app.ctx, s, ns.card, ns.reason)


def h_unblacklist(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import cards
    app, s = session_of(g)
    return cards.unblacklist(app.ctx, s, ns.card, ns.reason)


def h_show(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import cards
    app, s = session_of(g)
    return cards.show(app.ctx, s, ns.card)


def h_rewrite(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import cards
    app, s = session_of(g)
    return cards.rewrite(app.ctx, s, ns.id, supervisor_override=ns.supervisor_override)


def _subcommands(sub: Any, name: str) -> Any:
    """The sub-command action of an existing command (`sale`, registered by core)."""
    parser = sub.choices[name]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: Any) -> None:
    c = sub.add_parser("card", help="IC card making and maintenance").add_subparsers(dest="sub", required=True)
    x = c.add_parser("make", help="personalise the blank card in the reader")
    x.add_argument("--type", default="user", choices=("user", "check", "setting", "clear", "test", "reading"))
    x.add_argument("--meter", help="the meter (required for a user card; a service card without one "
                                   "works on any meter)")
    x.add_argument("--max-power-w", type=int, help="setting card: the meter's maximum power, watts")
    x.add_argument("--alarm-kwh", help="setting card: the credit below which the meter warns, kWh")
    x.add_argument("--clear", help="clear card: what to clear, some of tamper,credit,events")
    x.set_defaults(handler=h_make)
    x = c.add_parser("read", help="read and verify the card in the reader; records the meter's return data")
    x.set_defaults(handler=h_read)
    x = c.add_parser("format", help="erase the card in the reader back to blank (supervisor)")
    x.set_defaults(handler=h_format)
    x = c.add_parser("blacklist", help="refuse a card from now on (lost, stolen, tampered)")
    x.add_argument("--card", required=True, help="card serial (16 hex digits)")
    x.add_argument("--reason", required=True)
    x.set_defaults(handler=h_blacklist)
    x = c.add_parser("unblacklist", help="lift a blacklist (supervisor)")
    x.add_argument("--card", required=True)
    x.add_argument("--reason", required=True)
    x.set_defaults(handler=h_unblacklist)
    x = c.add_parser("show", help="a card's status and history in the ledger")
    x.add_argument("card")
    x.set_defaults(handler=h_show)

    x = _subcommands(sub, "sale").add_parser(
        "rewrite", help="error-tolerance selling: write a completed sale's purchase onto the meter's card again")
    x.add_argument("id", help="sale id or receipt number")
    x.add_argument("--supervisor-override", metavar="REASON",
                   help="write it again although it was rewritten before (permission card_supervision)")
    x.set_defaults(handler=h_rewrite)
