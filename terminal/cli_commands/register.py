"""Registration, installation and account transfers (issue 11): `meter install|show|list`,
`customer show`, `account transfer|approve|reject|transfers`, and the options of the
customer's and the meter's files that `customer register` takes (`file_options`)."""
from __future__ import annotations

import argparse
from typing import Any

from terminal.cli_commands.common import session_of
from terminal.domain.meter_numbers import METER_TYPES

_CODED = "a dictionary code or name where the utility keeps the list (`ppms setup dictionary list`)"


def file_options(x: argparse.ArgumentParser) -> None:
    """Options of `customer register` beyond name, address, meter and power type (and the
    help of the coded ones core made: where the dictionary keeps their list)."""
    for action in x._actions:
        if action.dest in ("area", "category") and action.help is None:
            action.help = f"the customer's {action.dest}: {_CODED}"
    x.add_argument("--building", help=f"the customer's building: {_CODED}")
    x.add_argument("--id-number", help="the customer's ID number")
    x.add_argument("--meter-type", choices=METER_TYPES)
    x.add_argument("--maker", help=f"the meter's maker: {_CODED}")
    x.add_argument("--model", help=f"the meter's model: {_CODED}")
    x.add_argument("--capacity-a", type=int, help="the meter's capacity, whole A")
    x.add_argument("--no-install", action="store_true",
                   help="registration only: the meter sells nothing until `ppms meter install`")
    installing_options(x, with_date=False)


def installing_options(x: argparse.ArgumentParser, with_date: bool = True) -> None:
    if with_date:
        x.add_argument("--date", help="the installation day YYYY-MM-DD (default today)")
    x.add_argument("--installer", help="who installed the meter")
    x.add_argument("--seals", help="seal numbers, separated by ','")
    x.add_argument("--initial-reading", metavar="KWH", help="the meter's reading when installed, kWh")


def installing(ns: argparse.Namespace) -> Any:
    from terminal.services.registration import Installing
    given = Installing(getattr(ns, "date", None), ns.installer, ns.seals, ns.initial_reading)
    return None if given == Installing() else given


def registration_files(ns: argparse.Namespace) -> Any:
    from terminal.services.registration import Files
    return Files(building=ns.building, id_number=ns.id_number, meter_type=ns.meter_type, maker=ns.maker,
                 model=ns.model, capacity_a=ns.capacity_a)


def h_install(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import registration
    app, s = session_of(g)
    return registration.install(app.ctx, s, ns.meter, installing(ns) or registration.Installing())


def h_meter_show(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import meter_files
    app, s = session_of(g)
    return meter_files.show_meter(app.ctx, s, ns.meter)


def h_meter_list(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import meter_files
    app, s = session_of(g)
    return meter_files.list_meters(app.ctx, s, ns.status, ns.area, ns.page, ns.page_size)


def h_customer_show(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import meter_files
    app, s = session_of(g)
    return meter_files.show_customer(app.ctx, s, meter_no=ns.meter, account_no=ns.account)


def h_transfer(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import transfers
    app, s = session_of(g)
    return transfers.request(app.ctx, s, ns.from_meter, ns.to_meter, ns.what, ns.amount, ns.reason)


def h_decide(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import transfers
    app, s = session_of(g)
    return transfers.decide(app.ctx, s, ns.id, ns.approve, ns.note)


def h_transfers(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import transfers
    app, s = session_of(g)
    return transfers.listing(app.ctx, s, None if ns.status == "all" else ns.status, ns.meter)


def _subcommands(sub: Any, name: str) -> Any:
    """The sub-command action of an existing command (`meter`, `customer`, `account`)."""
    parser = sub.choices[name]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: Any) -> None:
    m = _subcommands(sub, "meter")
    x = m.add_parser("install", help="install a registered meter: day, installer, seals, initial reading")
    x.add_argument("--meter", required=True)
    installing_options(x)
    x.set_defaults(handler=h_install)
    x = m.add_parser("show", help="the meter's file, its installation and its customer")
    x.add_argument("meter")
    x.set_defaults(handler=h_meter_show)
    x = m.add_parser("list", help="the meter file, a page at a time")
    x.add_argument("--status", choices=("registered", "installed", "replaced", "cancelled"))
    x.add_argument("--area")
    x.add_argument("--page", type=int, default=1)
    x.add_argument("--page-size", type=int, default=50)
    x.set_defaults(handler=h_meter_list)

    x = _subcommands(sub, "customer").add_parser("show", help="a customer's file and meters")
    which = x.add_mutually_exclusive_group(required=True)
    which.add_argument("--meter")
    which.add_argument("--account", help="the account number (T01-C000001)")
    x.set_defaults(handler=h_customer_show)

    a = _subcommands(sub, "account")
    x = a.add_parser("transfer", help="move carry-over or arrears to another customer's meter, "
                     "once another operator approves")
    x.add_argument("--from-meter", required=True)
    x.add_argument("--to-meter", required=True)
    x.add_argument("--what", required=True, choices=("carry_over", "arrears"))
    x.add_argument("--amount", required=True)
    x.add_argument("--reason", required=True)
    x.set_defaults(handler=h_transfer)
    for verb, approve in (("approve", True), ("reject", False)):
        x = a.add_parser(verb, help=f"{verb} a transfer another operator asked for")
        x.add_argument("id", help="the transfer id")
        x.add_argument("--note")
        x.set_defaults(handler=h_decide, approve=approve)
    x = a.add_parser("transfers", help="account transfers (default: those awaiting approval)")
    x.add_argument("--status", default="awaiting_approval", choices=("awaiting_approval", "approved", "rejected",
                                                                     "all"))
    x.add_argument("--meter")
    x.set_defaults(handler=h_transfers)
