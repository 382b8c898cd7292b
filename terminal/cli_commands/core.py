"""Core commands: init, demo, tariffs, registration, selling, accounts, check, operators."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from terminal.cli_commands.common import app_of, app_of_settings, session_of
from terminal.cli_commands.passwords import new_password, password_options
from terminal.cli_commands.receipts import h_reprint
from terminal.cli_commands.register import file_options, installing, registration_files
from terminal.cli_commands.sts import sts_meter_options, sts_settings
from terminal.files import read_text_file


def h_init(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import setup
    password = new_password(ns, "the admin operator", ns.admin_password, "--admin-password")
    app = app_of(g, initialising=True, allow_fake_clock=ns.allow_fake_clock)
    out = setup.initialise(app.ctx, password, ns.allow_fake_clock)
    out["database"] = str(app.db.database)
    return out


def h_demo(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import demo
    app, s = session_of(g)
    return demo.build_demo(app.ctx, s, customers=ns.customers, sales=ns.sales, seed=ns.seed, progress=sys.stderr)


def h_tariff_import(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import setup
    from terminal.services.errors import InvalidArgument
    text = read_text_file(ns.file, what="tariff file", key="FILE", error=InvalidArgument)
    app, s = session_of(g)
    return setup.import_tariff(app.ctx, s, text)


def h_register(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import registration
    app, s = session_of(g)
    return registration.register(app.ctx, s, ns.name, ns.address, ns.meter, ns.power_type,
                                 category=ns.category, phone=ns.phone, area=ns.area, carrier=ns.carrier,
                                 sts=sts_settings(ns), files=registration_files(ns), install=not ns.no_install,
                                 installing=installing(ns))


def h_quote(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import selling
    app, s = session_of(g)
    return selling.quote(app.ctx, s, ns.meter, amount=ns.amount, kwh=ns.kwh)


def h_sell(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import selling
    app, s = session_of(g)
    return selling.sell(app.ctx, s, ns.meter, ns.amount, ns.payment, print_receipt=ns.print or None)


def h_sale_show(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import selling
    app, s = session_of(g)
    return selling.show(app.ctx, s, ns.id)


def h_sale_reverse(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import selling
    app, s = session_of(g)
    return selling.reverse(app.ctx, s, ns.id, ns.reason, print_receipt=ns.print or None)


def h_sale_recover(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import kiosk, selling
    app, s = session_of(g)
    return {"cash_intakes": kiosk.recover_cash(app.ctx, s),
            "recovered": selling.recover(app.ctx, s, meter_no=ns.meter)}


def h_debt_add(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import accounts
    app, s = session_of(g)
    return accounts.add_debt(app.ctx, s, ns.meter, ns.amount, ns.reason)


def h_account_show(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import accounts
    app, s = session_of(g)
    return accounts.balances(app.ctx, s, ns.meter)


def h_check(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import check
    app = app_of(g)
    result = check.verify(app.ctx)
    return result, (0 if result["ok"] else 3)


def h_operator_add(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import auth
    app, s = session_of(g)
    s.require(auth.Permission.OPERATORS)  # before asking for a password the operator may not set
    password = new_password(ns, f"operator {ns.username}")
    oid = auth.add_operator(app.ctx, s, ns.username, ns.full_name or ns.username, ns.role, password)
    return {"operator_id": oid, "username": ns.username, "role": ns.role}


def h_operator_unlock(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import auth
    app, s = session_of(g)
    auth.unlock(app.ctx, s, ns.username)
    return {"username": ns.username, "locked": False}


def h_unlock_recovery(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    """The way back when every operator who could unlock is locked out: root on the box only."""
    from terminal.services import auth
    from terminal.services.errors import PermissionDenied
    if os.geteuid() != 0:
        raise PermissionDenied("operator unlock-recovery runs as root on the terminal itself (sudo)",
                               permission="root")
    password = new_password(ns, f"operator {ns.username}")
    path = Path(g["db"] or app_of_settings(g).database.path)
    owner = path.stat() if path.exists() else None
    if owner is not None and owner.st_uid != 0:  # work as the ledger's owner: its WAL stays the service's
        os.setgid(owner.st_gid)
        os.setuid(owner.st_uid)
    app = app_of(g)
    auth.recover(app.ctx, ns.username, password, by=f"root@{os.uname().nodename}")
    return {"username": ns.username, "locked": False, "password_changed": True}


def h_permission(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import auth
    app, s = session_of(g)
    auth.set_permission(app.ctx, s, ns.role, ns.permission, ns.granted)
    return {"role": ns.role, "permission": ns.permission, "granted": ns.granted}


def register(sub: Any) -> None:

    x = sub.add_parser("init", help="create an empty database with defaults and an admin operator")
    x.add_argument("--admin-password", help="deprecated: visible to other users; use --password-file, "
                   "--password-stdin, PPMS_PASSWORD or the prompt")
    password_options(x, "PPMS_PASSWORD")
    x.add_argument("--allow-fake-clock", action="store_true")
    x.set_defaults(handler=h_init)

    x = sub.add_parser("demo", help="fill the database with a realistic, deterministic demo data set")
    x.add_argument("--customers", type=int, default=60)
    x.add_argument("--sales", type=int, default=600)
    x.add_argument("--seed", type=int, default=1)
    x.set_defaults(handler=h_demo)

    t = sub.add_parser("tariff", help="power types, tariff versions and preferential sheets").add_subparsers(
        dest="sub", required=True)
    x = t.add_parser("import", help="load power types, tariffs and preferential sheets")
    x.add_argument("file")
    x.set_defaults(handler=h_tariff_import)

    c = sub.add_parser("customer", help="customers and their meters").add_subparsers(dest="sub", required=True)
    x = c.add_parser("register", help="registration and installation in one step (--no-install: registration "
                     "only)")
    x.add_argument("--name", required=True)
    x.add_argument("--address", required=True)
    x.add_argument("--meter", required=True)
    x.add_argument("--power-type", required=True, help="RES, or a split like RES:70,COM:30")
    x.add_argument("--category")
    x.add_argument("--phone")
    x.add_argument("--area")
    x.add_argument("--carrier", default="card", choices=("card", "sts"))
    sts_meter_options(x)
    file_options(x)
    x.set_defaults(handler=h_register)

    x = sub.add_parser("quote", help="the vend calculation without selling")
    x.add_argument("--meter", required=True)
    g = x.add_mutually_exclusive_group(required=True)
    g.add_argument("--amount")
    g.add_argument("--kwh")
    x.set_defaults(handler=h_quote)

    x = sub.add_parser("sell", help="sell power")
    x.add_argument("--meter", required=True)
    x.add_argument("--amount", required=True)
    x.add_argument("--payment", default="cash", choices=("cash", "bank", "mobile"))
    x.add_argument("--print", action="store_true", help="print the receipt on the configured printer")
    x.set_defaults(handler=h_sell)

    s = sub.add_parser("sale", help="one sale: show, reverse, reprint, recover, rewrite").add_subparsers(
        dest="sub", required=True)
    x = s.add_parser("show", help="a sale as a receipt summary (by sale id or receipt number)")
    x.add_argument("id", help="sale id or receipt number")
    x.set_defaults(handler=h_sale_show)
    x = s.add_parser("reverse", help="reset for selling (contra-posting)")
    x.add_argument("id")
    x.add_argument("--reason", required=True)
    x.add_argument("--print", action="store_true", help="print the reversal receipt")
    x.set_defaults(handler=h_sale_reverse)
    x = s.add_parser("reprint", help="print the sale's receipt again, marked COPY")
    x.add_argument("id")
    x.set_defaults(handler=h_reprint)
    x = s.add_parser("recover", help="decide sales left PENDING by a crash or a removed card")
    x.add_argument("--meter")
    x.set_defaults(handler=h_sale_recover)

    a = sub.add_parser("account", help="a customer's arrears and carry-over").add_subparsers(dest="sub", required=True)
    d = a.add_parser("debt", help="arrears recorded on a customer").add_subparsers(dest="sub2", required=True)
    x = d.add_parser("add", help="record arrears on a customer")
    x.add_argument("--meter", required=True)
    x.add_argument("--amount", required=True)
    x.add_argument("--reason", required=True)
    x.set_defaults(handler=h_debt_add)
    x = a.add_parser("show", help="a customer's arrears and carry-over")
    x.add_argument("--meter", required=True)
    x.set_defaults(handler=h_account_show)

    x = sub.add_parser("check", help="verify the ledger; exit 0 when sound, 3 when not")
    x.set_defaults(handler=h_check)

    o = sub.add_parser("operator", help="operators, their roles and permissions").add_subparsers(
        dest="sub", required=True)
    x = o.add_parser("add", help="a new operator with a role")
    x.add_argument("--username", required=True)
    x.add_argument("--role", required=True)
    x.add_argument("--full-name")
    password_options(x, "PPMS_NEW_PASSWORD")
    x.set_defaults(handler=h_operator_add)
    x = o.add_parser("unlock", help="unlock an operator locked by wrong passwords")
    x.add_argument("username")
    x.set_defaults(handler=h_operator_unlock)
    x = o.add_parser("unlock-recovery", help="root on the box only: unlock an operator and give it a new "
                     "password when no one who may unlock can log in (recorded in the diary)")
    x.add_argument("username")
    password_options(x, "PPMS_NEW_PASSWORD")
    x.set_defaults(handler=h_unlock_recovery)
    for verb, granted in (("grant", True), ("revoke", False)):
        x = o.add_parser(verb, help=("grant a permission to a role" if granted else "revoke a permission from a role"))
        x.add_argument("role")
        x.add_argument("permission")
        x.set_defaults(handler=h_permission, granted=granted)
