"""Amendment commands: `amend basic|power-type|capacity|reissue-card|replace-meter|cancel-meter|list`.
They parse and call `terminal.services.amendments` and `terminal.services.amendment_credit`."""
from __future__ import annotations

import argparse
from typing import Any

from terminal.cli_commands.common import session_of
from terminal.cli_commands.sts import sts_meter_options


def h_basic(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import amendments
    app, s = session_of(g)
    return amendments.basic(app.ctx, s, ns.meter, name=ns.name, address=ns.address, phone=ns.phone, area=ns.area,
                            category=ns.category, building=ns.building, id_number=ns.id_number)


def h_power_type(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import amendments
    app, s = session_of(g)
    return amendments.power_type(app.ctx, s, ns.meter, ns.power_type)


def h_capacity(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import amendments
    app, s = session_of(g)
    return amendments.capacity(app.ctx, s, ns.meter, ns.capacity_a, payment=ns.payment)


def h_reissue(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import amendment_credit
    app, s = session_of(g)
    return amendment_credit.reissue_card(app.ctx, s, ns.meter, ns.reason, payment=ns.payment)


def _settings(ns: argparse.Namespace, prefix: str = "") -> dict[str, Any] | None:
    raw = {"sgc": getattr(ns, f"{prefix}sgc"), "ti": getattr(ns, f"{prefix}ti"), "krn": getattr(ns, f"{prefix}krn")}
    if not prefix:
        raw |= {"key_type": ns.kt, "ea": ns.ea, "dkga": ns.dkga, "base_date": ns.base_date, "ken": ns.ken,
                "iin": ns.iin}
    kept = {k: v for k, v in raw.items() if v is not None}
    return kept or None


def h_replace(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import amendment_credit
    app, s = session_of(g)
    return amendment_credit.replace_meter(app.ctx, s, ns.meter, ns.new_meter, ns.final_reading, ns.remaining_credit,
                                          payment=ns.payment, reason=ns.reason, carrier=ns.carrier,
                                          sts=_settings(ns), delivered_sts=_settings(ns, "delivered_"))


def h_cancel(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import amendment_credit
    app, s = session_of(g)
    return amendment_credit.cancel_meter(app.ctx, s, ns.meter, ns.final_reading, ns.remaining_credit, ns.reason)


def h_list(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import amendments
    app, s = session_of(g)
    return amendments.listed(app.ctx, s, ns.meter)


CODED = "a dictionary code or name where the utility keeps the list (`ppms setup dictionary list`)"
REASON = "why; an amendment_reason code or name where the utility keeps that list"


def _payment(x: argparse.ArgumentParser) -> None:
    x.add_argument("--payment", default="cash", choices=("cash", "bank", "mobile"),
                   help="how the fee is paid (a payment_method entry where that list is kept)")


def register(sub: Any) -> None:
    a = sub.add_parser("amend", help="the six amendments and the amendment file").add_subparsers(
        dest="sub", required=True)
    x = a.add_parser("basic", help="change the customer's file")
    x.add_argument("--meter", required=True)
    for opt in ("--name", "--address", "--phone", "--id-number"):
        x.add_argument(opt)
    for opt in ("--area", "--category", "--building"):
        x.add_argument(opt, help=CODED)
    x.set_defaults(handler=h_basic)
    x = a.add_parser("power-type", help="the meter's power type or split (RES:70,COM:30) from its next sale on")
    x.add_argument("--meter", required=True)
    x.add_argument("--power-type", required=True)
    x.set_defaults(handler=h_power_type)
    x = a.add_parser("capacity", help="enlarge the meter's capacity (fee fee.enlarge_capacity)")
    x.add_argument("--meter", required=True)
    x.add_argument("--capacity-a", required=True, type=int)
    _payment(x)
    x.set_defaults(handler=h_capacity)
    x = a.add_parser("reissue-card", help="blacklist the meter's card and make a new one in the reader "
                     "(fee fee.reissue_card); it carries the last purchase when the meter has not taken it")
    x.add_argument("--meter", required=True)
    x.add_argument("--reason", required=True, help=REASON)
    _payment(x)
    x.set_defaults(handler=h_reissue)
    x = a.add_parser("replace-meter", help="a new meter for the old one; the remaining credit moves to it "
                     "(fee fee.replace_meter)")
    x.add_argument("--meter", required=True)
    x.add_argument("--new-meter", required=True)
    x.add_argument("--final-reading", required=True, help="the old meter's total kWh")
    x.add_argument("--remaining-credit", required=True, help="the old meter's remaining credit, kWh")
    x.add_argument("--reason", help=REASON)
    x.add_argument("--carrier", choices=("card", "sts"), help="the new meter's carrier (default: the old one's)")
    _payment(x)
    sts_meter_options(x)
    for opt in ("--delivered-sgc", "--delivered-ti", "--delivered-krn"):
        x.add_argument(opt, type=int, help="an STS meter's key settings as delivered, when they differ "
                       "(its key change tokens come first)")
    x.set_defaults(handler=h_replace)
    x = a.add_parser("cancel-meter", help="cancel the meter: the credit refunded net of arrears, the account closed "
                     "(fee fee.cancel_meter, in cash)")
    x.add_argument("--meter", required=True)
    x.add_argument("--final-reading", required=True, help="the meter's total kWh")
    x.add_argument("--remaining-credit", required=True, help="the meter's remaining credit, kWh")
    x.add_argument("--reason", required=True, help=REASON)
    x.set_defaults(handler=h_cancel)
    x = a.add_parser("list", help="the amendment file")
    x.add_argument("--meter")
    x.set_defaults(handler=h_list)
