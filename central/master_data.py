"""`ppms-central customer|blacklist|operator`: master data the center manages, sent to every
terminal down the feed (docs/sync.md, "Down"). Each command checks what it can here and
appends one change; a terminal applies it through its own services, once, in order.

    customer update --meter M [--name ..] [--address ..] [--phone ..] [--area ..]
                    [--building ..] [--id-number ..]      -> customer  {"meter", "changes"}
    blacklist add|remove CARD --reason R                 -> blacklist {"card", "blacklisted", "reason"}
    operator add USERNAME --full-name N --role R          -> operator  {"username", "full_name", "role",
             [--inactive] (password: PPMS_NEW_PASSWORD                 "password_hash", "active"}
             or standard input; only its argon2 hash travels)
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from central import feed
from central.errors import AdminInvalid

CUSTOMER_FIELDS = ("name", "address", "phone", "area", "building", "id_number")
USERNAME = re.compile(r"[A-Za-z0-9._]{1,32}")
SERIAL = re.compile(r"[0-9A-Fa-f]{16}")
RESERVED = ("admin", "center", "system")


def _open(ns: argparse.Namespace) -> None:
    from central.cli import open_db
    open_db(ns)


def c_customer_update(ns: argparse.Namespace) -> Any:
    changes = {k: v.strip() for k in CUSTOMER_FIELDS if (v := getattr(ns, k)) is not None}
    if not changes:
        raise AdminInvalid("say what changes: --name, --address, --phone, --area, --building or --id-number",
                           key="changes")
    if any(len(v) > 200 or not v.isprintable() for v in changes.values()):
        raise AdminInvalid("a customer's field is at most 200 printable characters", key="changes")
    _open(ns)
    return {"cursor": feed.add("customer", {"meter": ns.meter, "changes": changes})}


def c_blacklist(ns: argparse.Namespace) -> Any:
    if not SERIAL.fullmatch(ns.card):
        raise AdminInvalid("a card serial is 16 hex digits", key="CARD")
    if not ns.reason.strip() or len(ns.reason) > 200:
        raise AdminInvalid("give a reason (at most 200 characters)", key="--reason")
    _open(ns)
    return {"cursor": feed.add("blacklist", {"card": ns.card.lower(), "blacklisted": ns.sub == "add",
                                             "reason": ns.reason.strip()})}


def c_operator_add(ns: argparse.Namespace) -> Any:
    from argon2 import PasswordHasher
    if not USERNAME.fullmatch(ns.username) or ns.username.lower() in RESERVED:
        raise AdminInvalid(f"a username is 1-32 letters, digits, '.' and '_', and not {', '.join(RESERVED)}",
                           key="USERNAME")
    password = os.environ.get("PPMS_NEW_PASSWORD") or sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise AdminInvalid("the password (PPMS_NEW_PASSWORD or standard input) needs 8 characters or more",
                           key="password")
    _open(ns)
    data = {"username": ns.username, "full_name": ns.full_name, "role": ns.role,
            "password_hash": PasswordHasher().hash(password), "active": not ns.inactive}
    return {"cursor": feed.add("operator", data), "operator": ns.username, "role": ns.role,
            "active": data["active"]}


def register(sub: Any) -> None:
    c = sub.add_parser("customer").add_subparsers(dest="sub", required=True)
    x = c.add_parser("update", help="change a customer's file at every terminal")
    x.add_argument("--meter", required=True)
    for name in CUSTOMER_FIELDS:
        x.add_argument("--" + name.replace("_", "-"), dest=name)
    x.set_defaults(handler=c_customer_update)
    b = sub.add_parser("blacklist").add_subparsers(dest="sub", required=True)
    for what in ("add", "remove"):
        x = b.add_parser(what, help=f"{what} a card on every terminal's blacklist")
        x.add_argument("card")
        x.add_argument("--reason", required=True)
        x.set_defaults(handler=c_blacklist)
    o = sub.add_parser("operator").add_subparsers(dest="sub", required=True)
    x = o.add_parser("add", help="an operator account on every terminal (again: a new password, role or state)")
    x.add_argument("username")
    x.add_argument("--full-name", required=True)
    x.add_argument("--role", required=True)
    x.add_argument("--inactive", action="store_true", help="the account cannot log in")
    x.set_defaults(handler=c_operator_add)
