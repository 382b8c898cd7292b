"""System setup and cashier shifts: `ppms setup param|dictionary|port ...`, `ppms tariff
export|list|preferential ...`, `ppms operator list|matrix|grant-user|revoke-user|reset-user`,
`ppms shift open|close|signoff|show|list`. The parents `tariff` and `operator` (core) are
looked up, not moved; `setup` and `shift` are made here unless another area made them."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from terminal.cli_commands.common import app_of_settings, session_of
from terminal.files import read_text_file


def h_param_show(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import parameters
    app, s = session_of(g)
    return parameters.show(app.ctx, s)


def h_param_set(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import parameters
    app, s = session_of(g)
    return parameters.set_param(app.ctx, s, ns.key, ns.value)


def h_param_history(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import parameters
    app, s = session_of(g)
    return parameters.history(app.ctx, s, ns.key)


def h_dictionary(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import dictionary
    app, s = session_of(g)
    if ns.verb == "list":
        return dictionary.listed(app.ctx, s, ns.kind, removed=ns.removed)
    if ns.verb == "add":
        return dictionary.add(app.ctx, s, ns.kind, ns.code, ns.name)
    return dictionary.remove(app.ctx, s, ns.kind, ns.code)


def h_port(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import port_set
    app, s = session_of(g)
    file_settings = app_of_settings(g)   # the config file's values, without the stored ones
    if ns.verb == "show":
        return port_set.show(app.ctx, s, file_settings)
    return port_set.set_setting(app.ctx, s, file_settings, ns.key, ns.value if ns.verb == "set" else None)


def _written(result: dict[str, Any], out: str | None, g: dict[str, Any]) -> Any:
    """The TOML on stdout (or in --out FILE); with --json the object with the TOML in it."""
    if out:
        Path(out).write_text(result["toml"], encoding="utf-8")
        return {k: v for k, v in result.items() if k != "toml"} | {"out": out}
    return result if g["json"] else result["toml"]


def h_tariff_export(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import tariff_sheets
    app, s = session_of(g)
    return _written(tariff_sheets.export(app.ctx, s), ns.out, g)


def h_tariff_list(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import tariff_sheets
    app, s = session_of(g)
    listed = tariff_sheets.listed(app.ctx, s)
    return listed if g["json"] else tariff_text(listed)


_PERIODS = {"none": "never reset", "month": "reset each month", "year": "reset each year"}


def tariff_text(listed: dict[str, Any]) -> str:
    """`ppms tariff list` for a person: each version's terms in a sentence, its blocks as a table
    of the sub-items' prices and the comprehensive price they add up to."""
    from terminal.cli_commands.render import render
    out = [f"Tariffs on {listed['on']}"]
    for pt in listed["power_types"]:
        for v in pt["versions"]:
            subs = ", ".join(f"{si['code']} {si['name']}" for si in v.get("sub_items", []))
            out += ["", f"{pt['code']} {pt['name']}, version {v['version']}"
                        f"{' (in force)' if v['in_force'] else ''}, from {v.get('effective_from')}, "
                        f"imported {v['imported_at']}",
                    f"  VAT {v.get('vat_percent')} %, fixed charge {v.get('fixed_monthly')} a month, debt recovery "
                    f"{v.get('debt_recovery_percent')} %, a sale from {v.get('min_amount')} and at most "
                    f"{v.get('max_kwh_per_sale') or '-'} kWh; blocks {_PERIODS.get(v.get('tier_period'), '-')}",
                    f"  sub-items: {subs or '-'}",
                    render([{"block": b["block"], "up_to_kwh": b["up_to_kwh"] or "above", **b["prices"],
                             "comprehensive_price": b["comprehensive_price"]} for b in v.get("blocks", [])])]
    return "\n".join(out)


def h_preferential(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import tariff_sheets
    from terminal.services.errors import InvalidArgument
    if ns.verb == "import":
        text = read_text_file(ns.file, what="preferential sheet", key="FILE", error=InvalidArgument)
        app, s = session_of(g)
        return tariff_sheets.preferential_import(app.ctx, s, text)
    app, s = session_of(g)
    if ns.verb == "show":
        return tariff_sheets.preferential_show(app.ctx, s)
    return _written(tariff_sheets.preferential_export(app.ctx, s), ns.out, g)


def h_operator_list(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import authority
    app, s = session_of(g)
    return authority.operators(app.ctx, s)


def h_operator_matrix(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import authority
    app, s = session_of(g)
    matrix = authority.matrix(app.ctx, s)
    if g["json"]:
        return matrix
    return {k: v for k, v in matrix.items() if k not in ("roles", "modules")}   # the table names them


def h_operator_own(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import authority
    app, s = session_of(g)
    return authority.set_for_operator(app.ctx, s, ns.username, ns.permission, ns.state)


def h_shift(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import shifts
    app, s = session_of(g)
    if ns.verb == "open":
        return shifts.open_shift(app.ctx, s, ns.float)
    if ns.verb == "close":
        return shifts.close_shift(app.ctx, s, ns.counted)
    if ns.verb == "signoff":
        return shifts.sign_off(app.ctx, s, ns.id, ns.note)
    if ns.verb == "show":
        return shifts.show(app.ctx, s, ns.id)
    return shifts.listed(app.ctx, s, ns.limit)


def children(sub: Any, name: str, help_text: str) -> Any:
    """The sub-commands of top-level command `name`: an existing parent's, or a new parent's."""
    parent = sub.choices.get(name)
    if parent is None:
        return sub.add_parser(name, help=help_text).add_subparsers(dest="sub", required=True)
    for action in parent._actions:   # argparse keeps a parent's sub-commands as one action
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise AssertionError(f"`ppms {name}` has no sub-commands to add to")


KINDS_HELP = "area, building, category, payment_method, amendment_reason, maker or model"


def register(sub: Any) -> None:
    st = children(sub, "setup", "system setup: parameters, the system dictionary, the port set")
    p = st.add_parser("param", help="parameters: utility name, fees, thresholds").add_subparsers(
        dest="sub2", required=True)
    p.add_parser("show", help="every parameter, its value and default").set_defaults(handler=h_param_show)
    x = p.add_parser("set", help="change one parameter (money as 250.00, energy in kWh)")
    x.add_argument("key")
    x.add_argument("value")
    x.set_defaults(handler=h_param_set)
    x = p.add_parser("history", help="every change of the parameters (or of one)")
    x.add_argument("key", nargs="?")
    x.set_defaults(handler=h_param_history)

    d = st.add_parser("dictionary", help="areas, buildings, categories, payment methods, amendment reasons, "
                      "meter makers and models: a list once it has an entry") \
        .add_subparsers(dest="sub2", required=True)
    x = d.add_parser("list", help="the entries of one dictionary or of all")
    x.add_argument("kind", nargs="?", help=KINDS_HELP)
    x.add_argument("--removed", action="store_true", help="also the removed entries")
    x.set_defaults(handler=h_dictionary, verb="list")
    x = d.add_parser("add", help="add (or rename, or bring back) an entry")
    x.add_argument("kind")
    x.add_argument("code")
    x.add_argument("name")
    x.set_defaults(handler=h_dictionary, verb="add")
    x.epilog = "the entry's code is what the files store; a clerk may type the code or the name"
    x = d.add_parser("remove", help="remove an entry (records naming it keep it)")
    x.add_argument("kind")
    x.add_argument("code")
    x.set_defaults(handler=h_dictionary, verb="remove")

    q = st.add_parser("port", help="the port set: device settings stored over the config file") \
        .add_subparsers(dest="sub2", required=True)
    q.add_parser("show", help="each device setting: the file's, the stored, the one in use") \
        .set_defaults(handler=h_port, verb="show")
    x = q.add_parser("set", help="store a device setting (used from the next start)")
    x.add_argument("key")
    x.add_argument("value")
    x.set_defaults(handler=h_port, verb="set")
    x = q.add_parser("reset", help="drop a stored device setting: the config file's value again")
    x.add_argument("key")
    x.set_defaults(handler=h_port, verb="reset", value=None)

    t = children(sub, "tariff", "power types, tariff versions and preferential sheets")
    x = t.add_parser("export", help="the tariffs in force as the TOML `tariff import` reads")
    x.add_argument("--out", help="write the TOML to this file")
    x.set_defaults(handler=h_tariff_export)
    t.add_parser("list", help="power types: versions, sub-items, blocks and comprehensive prices") \
        .set_defaults(handler=h_tariff_list)
    pr = t.add_parser("preferential", help="the preferential price sheet").add_subparsers(dest="sub2", required=True)
    pr.add_parser("show", help="each preferential sheet's latest version").set_defaults(handler=h_preferential,
                                                                                        verb="show")
    x = pr.add_parser("export", help="the [[preferential]] tables as TOML")
    x.add_argument("--out", help="write the TOML to this file")
    x.set_defaults(handler=h_preferential, verb="export")
    x = pr.add_parser("import", help="a file of [[preferential]] tables over the power types in force")
    x.add_argument("file")
    x.set_defaults(handler=h_preferential, verb="import")

    o = children(sub, "operator", "operators, their roles and permissions")
    o.add_parser("list", help="operators: role, state and permissions").set_defaults(handler=h_operator_list)
    o.add_parser("matrix", help="every function module against every role").set_defaults(handler=h_operator_matrix)
    for verb, state, text in (("grant-user", "granted", "grant a permission to one operator over its role"),
                              ("revoke-user", "revoked", "revoke a permission from one operator, whatever its role"),
                              ("reset-user", "role", "take an operator's own grant or revocation away")):
        x = o.add_parser(verb, help=text)
        x.add_argument("username")
        x.add_argument("permission")
        x.set_defaults(handler=h_operator_own, state=state)

    sh = children(sub, "shift", "a cashier's shift: open with a float, close with the counted cash")
    x = sh.add_parser("open", help="open your shift with the float in the drawer")
    x.add_argument("--float", required=True)
    x.set_defaults(handler=h_shift, verb="open")
    x = sh.add_parser("close", help="close your shift with the cash counted in the drawer")
    x.add_argument("--counted", required=True)
    x.set_defaults(handler=h_shift, verb="close")
    x = sh.add_parser("signoff", help="a supervisor signs off a closed shift")
    x.add_argument("id")
    x.add_argument("--note", default="")
    x.set_defaults(handler=h_shift, verb="signoff")
    x = sh.add_parser("show", help="one shift, or your open one")
    x.add_argument("id", nargs="?")
    x.set_defaults(handler=h_shift, verb="show")
    x = sh.add_parser("list", help="the latest shifts")
    x.add_argument("--limit", type=int, default=100)
    x.set_defaults(handler=h_shift, verb="list")
