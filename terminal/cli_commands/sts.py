"""STS commands: support tools (`sts token`: a key file, an operator with `engineering_tokens`,
recorded in the diary; `sts decode`: a read, no login) and the recorded engineering tokens and
key changes for registered keypad meters."""
from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from terminal.bootstrap import sts_support_tools
from terminal.cli_commands.common import session_of
from terminal.services.errors import InvalidArgument


def _meter(ns: argparse.Namespace) -> Any:
    return sts_support_tools().meter_from_options(pan=ns.pan, sgc=ns.sgc, ti=ns.ti, krn=ns.krn, kt=ns.kt, ea=ns.ea,
                                                  dkga=ns.dkga, base_date=ns.base_date, ken=ns.ken)


def h_token(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    """An operator action (engineering_tokens), recorded in the diary: a credit token is money."""
    from terminal.services import engineering
    try:
        issued = datetime.fromisoformat(ns.issued)
    except ValueError:
        raise InvalidArgument(f"--issued {ns.issued!r} is not an ISO date-time", key="issued") from None
    meter = _meter(ns)
    app, s = session_of(g)
    request = {"pan": ns.pan, "class": int(ns.token_class), "subclass": int(ns.subclass), "amount": ns.amount,
               "issued": issued.isoformat(), "key_file": str(ns.key_file)}
    return engineering.support_token(app.ctx, s, request, lambda: sts_support_tools().sts_token(
        ns.key_file, meter, int(ns.token_class), int(ns.subclass), ns.amount, issued,
        rnd=ns.rnd, last_tid=ns.last_tid))


def h_decode(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    return sts_support_tools().sts_decode(ns.key_file, _meter(ns), ns.token.replace(" ", "").replace("-", ""))


def h_engineering(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import engineering
    app, s = session_of(g)
    return engineering.management_token(app.ctx, s, ns.meter, ns.kind, ns.value)


def h_key_change(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import engineering
    app, s = session_of(g)
    return engineering.key_change(app.ctx, s, ns.meter, {"sgc": ns.sgc, "ti": ns.ti, "krn": ns.krn,
                                                         "base_date": ns.base_date, "ken": ns.ken})


def h_tokens(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import engineering
    app, s = session_of(g)
    return engineering.tokens(app.ctx, s, ns.meter)


def _key_options(x: argparse.ArgumentParser) -> None:
    x.add_argument("--key-file", required=True, help="the vending key: one hex line, chmod 600")
    x.add_argument("--pan", required=True, help="the meter's PAN (IIN + meter number + Luhn digit)")
    x.add_argument("--sgc", required=True)
    x.add_argument("--ti", required=True)
    x.add_argument("--krn", required=True)
    x.add_argument("--kt", default="2")
    x.add_argument("--ea", default="07", choices=("07", "7", "11"))
    x.add_argument("--dkga", default="02", choices=("02", "2", "04", "4"))
    x.add_argument("--base-date", default="2014", choices=("1993", "2014", "2035"),
                   help="the meter's base date (default 2014, as registration)")
    x.add_argument("--ken", default="255", help="key expiry number (255: never)")


def sts_meter_options(x: argparse.ArgumentParser) -> None:
    """Options of `customer register --carrier sts`."""
    x.add_argument("--sgc", type=int, help="STS supply group code")
    x.add_argument("--ti", type=int, help="STS tariff index")
    x.add_argument("--krn", type=int, help="STS key revision number")
    x.add_argument("--kt", type=int, default=None, help="STS key type (default 2)")
    x.add_argument("--ea", type=int, default=None, choices=(7, 11), help="encryption algorithm 07 or 11")
    x.add_argument("--dkga", type=int, default=None, choices=(2, 4), help="key generation algorithm 02 or 04")
    x.add_argument("--base-date", type=int, default=None, choices=(1993, 2014, 2035))
    x.add_argument("--ken", type=int, default=None, help="key expiry number")
    x.add_argument("--iin", default=None, help="issuer identification number (default 600727)")


def sts_settings(ns: argparse.Namespace) -> dict[str, Any] | None:
    if getattr(ns, "carrier", "card") != "sts":
        return None
    raw = {"sgc": ns.sgc, "ti": ns.ti, "krn": ns.krn, "key_type": ns.kt, "ea": ns.ea, "dkga": ns.dkga,
           "base_date": ns.base_date, "ken": ns.ken, "iin": ns.iin}
    return {k: v for k, v in raw.items() if v is not None}


def register(sub: Any) -> None:
    s = sub.add_parser("sts", help="STS keypad meter tokens").add_subparsers(dest="sub", required=True)
    x = s.add_parser("token", help="make one STS token (support and testing; an operator with "
                     "engineering_tokens, recorded in the diary)")
    _key_options(x)
    x.add_argument("--class", dest="token_class", required=True, choices=("0", "1", "2"))
    x.add_argument("--subclass", required=True)
    x.add_argument("--amount", required=True, help="kWh with one decimal for electricity credit")
    x.add_argument("--issued", required=True, help="ISO date-time of issue (sets the TID)")
    x.add_argument("--rnd", type=int)
    x.add_argument("--last-tid", type=int)
    x.set_defaults(handler=h_token)
    x = s.add_parser("decode", help="verify and decode a token for a meter")
    _key_options(x)
    x.add_argument("--token", required=True)
    x.set_defaults(handler=h_decode)
    x = s.add_parser("engineering", help="a recorded management token for a registered STS meter")
    x.add_argument("--meter", required=True)
    x.add_argument("--kind", required=True,
                   choices=("max_power", "clear_credit", "set_tariff_rate", "clear_tamper", "phase_unbalance"))
    x.add_argument("--value", type=int, default=0, help="watts, register or rate, by kind")
    x.set_defaults(handler=h_engineering)
    x = s.add_parser("key-change", help="key change tokens (new SGC, tariff index, key revision, base date)")
    x.add_argument("--meter", required=True)
    for opt in ("--sgc", "--ti", "--krn", "--ken"):
        x.add_argument(opt, type=int)
    x.add_argument("--base-date", type=int, choices=(1993, 2014, 2035))
    x.set_defaults(handler=h_key_change)
    x = s.add_parser("tokens", help="every token made for a meter")
    x.add_argument("--meter", required=True)
    x.set_defaults(handler=h_tokens)
