"""The dashboard: one server-rendered page for a dashboard login (HTTP Basic over TLS):
each terminal's last sync, backlog, clock drift, sequence gaps and conflicts, the
conflicts themselves, and the payments waiting for a card meter."""
from __future__ import annotations

import base64
import binascii
from datetime import date
from html import escape

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from central import reports
from central.models import Admin, Payment


def logged_in(authorization: str) -> bool:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    row = Admin.get_or_none(Admin.username == user)
    if row is None:
        return False
    try:
        return PasswordHasher().verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _table(head: list[str], rows: list[list[object]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def render() -> str:
    today = date.today().isoformat()
    s = reports.summary(today, today)
    terms = [[t, v["last_sync"] or "never", v["backlog"], v["clock_drift_s"], v["gaps"] or "none", v["conflicts"]]
             for t, v in s["terminals"].items()]
    conflicts = [[c["terminal"], c["seq"], c["uuid"], c["kind"], c["reason"], c["received_at"]]
                 for c in reports.conflict_list()]
    waiting = [[p.reference, p.meter, p.amount, p.paid_at] for p in
               Payment.select().where(Payment.status == "waiting").order_by(Payment.created_at)]
    sales = s["totals"]["sales"]
    return ("<!doctype html><html><head><meta charset='utf-8'><title>PPMS center</title></head><body>"
            f"<h1>PPMS center</h1><p>Today ({escape(today)}): {sales['count']} sales, "
            f"{escape(sales['tendered'])} {escape(s['currency'])} tendered; net takings "
            f"{escape(s['totals']['net_takings'])}</p>"
            "<h2>Terminals</h2>" + _table(["terminal", "last sync", "backlog", "clock drift s", "gaps", "conflicts"],
                                          terms)
            + "<h2>Conflicts (stored apart, never merged)</h2>"
            + _table(["terminal", "seq", "uuid", "kind", "reason", "received"], conflicts)
            + "<h2>Payments waiting for a card meter</h2>"
            + _table(["reference", "meter", "amount (minor units)", "paid at"], waiting) + "</body></html>")
