"""Meter reading, meter account and search commands: `ppms reading add|import|consumption`,
`ppms account statement|check|receivable|book` (under core's `account`), `ppms search KIND`."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from terminal.cli_commands.cards import _subcommands
from terminal.cli_commands.common import session_of
from terminal.files import read_text_file


def h_reading_add(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import meter_readings
    app, s = session_of(g)
    return meter_readings.add_reading(app.ctx, s, ns.meter, ns.kwh, ns.remaining_credit, ns.at)


def h_reading_import(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import meter_readings
    from terminal.services.errors import InvalidArgument
    text = read_text_file(ns.file, what="reading file", key="FILE", error=InvalidArgument)
    app, s = session_of(g)
    return meter_readings.import_readings(app.ctx, s, text, Path(ns.file).name)


def h_consumption(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import meter_readings
    app, s = session_of(g)
    return meter_readings.consumption(app.ctx, s, ns.meter, ns.start, ns.end)


def h_statement(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import account_books
    app, s = session_of(g)
    return account_books.statement(app.ctx, s, ns.meter, ns.start, ns.end)


def h_check(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import account_books
    app, s = session_of(g)
    return account_books.check_accounts(app.ctx, s, ns.meter)


def h_receivable(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import account_books
    app, s = session_of(g)
    return account_books.receivable(app.ctx, s, ns.as_of)


def h_book(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import account_books
    app, s = session_of(g)
    return account_books.book(app.ctx, s, ns.start, ns.end, ns.account, ns.operator, ns.page, ns.page_size)


def h_search(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import search
    app, s = session_of(g)
    return search.search(app.ctx, s, ns.kind, start=ns.start, end=ns.end, operator=ns.operator, area=ns.area,
                         power_type=ns.power_type, meter=ns.meter, name=ns.name, page=ns.page,
                         page_size=ns.page_size)


def _days(x: Any) -> None:
    x.add_argument("--from", dest="start", metavar="D", help="first day, YYYY-MM-DD")
    x.add_argument("--to", dest="end", metavar="D", help="last day, YYYY-MM-DD (included)")


def _paging(x: Any, size: int) -> None:
    x.add_argument("--page", type=int, default=1)
    x.add_argument("--page-size", type=int, default=size)


def register(sub: Any) -> None:
    from terminal.services.search import KINDS
    rd = sub.add_parser("reading", help="meter readings by hand and from a handheld device's file").add_subparsers(
        dest="sub", required=True)
    x = rd.add_parser("add", help="one reading entered by hand (checked for anomalies)")
    x.add_argument("--meter", required=True)
    x.add_argument("--kwh", required=True, help="the meter's register, kWh")
    x.add_argument("--remaining-credit", help="the credit the meter shows, kWh")
    x.add_argument("--at", help="when it was read, 2026-03-05T10:00:00 (default: now)")
    x.set_defaults(handler=h_reading_add)
    x = rd.add_parser("import", help="a handheld device's CSV: meter,read_at,kwh,remaining_credit (all or nothing)")
    x.add_argument("file")
    x.set_defaults(handler=h_reading_import)
    x = rd.add_parser("consumption", help="consumption between each two readings of a meter")
    x.add_argument("--meter", required=True)
    _days(x)
    x.set_defaults(handler=h_consumption)

    a = _subcommands(sub, "account")
    x = a.add_parser("statement", help="every posting on the meter's account with a running balance")
    x.add_argument("--meter", required=True)
    _days(x)
    x.set_defaults(handler=h_statement)
    x = a.add_parser("check", help="energy bought vs consumed + remaining credit, flagged beyond the tolerance")
    x.add_argument("--meter")
    x.set_defaults(handler=h_check)
    x = a.add_parser("receivable", help="arrears and unpaid fees by customer, aged 0-30 / 31-90 / 90+ days")
    x.add_argument("--as-of", metavar="D")
    x.set_defaults(handler=h_receivable)
    x = a.add_parser("book", help="the debit and credit transaction book (journal lines)")
    _days(x)
    x.add_argument("--account")
    x.add_argument("--operator")
    _paging(x, 100)
    x.set_defaults(handler=h_book)

    x = sub.add_parser("search", help="search a file: " + ", ".join(KINDS),
                       epilog="one page, newest first; a filter the file does not know is refused (meters and "
                              "readings know no operator, the diary only operator and meter)")
    x.add_argument("kind", choices=KINDS, help="the file: power purchases, meter file, readings, checking "
                   "results, amendment file, system diary")
    _days(x)
    for option, text in (("--operator", "the operator's username"),
                         ("--area", "the customer's area (its dictionary code or name)"),
                         ("--power-type", "a power type code the meter buys (RES)"),
                         ("--meter", "the meter number"), ("--name", "the customer's name begins with this")):
        x.add_argument(option, help=text)
    _paging(x, 50)
    x.set_defaults(handler=h_search)
