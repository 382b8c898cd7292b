"""`ppms-central`: the center's command (docs/sync.md). Every command takes ``--db URL``
(or PPMS_CENTRAL_DB). Exit 0 done, 2 refused input (``{"error": {...}}`` on stderr, or
stdout with --json), 1 an internal failure."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from central import admin, index, master_data, partitions, reports
from central import db as central_db
from central.clock import now_text
from central.errors import AdminInvalid
from central.models import TABLES, Gateway, Setting, Terminal, proxy
from terminal.domain.errors import PpmsError
from terminal.domain.money import currency, parse_money

MAX_SECRET_FILE = 4096


def read_secret(path: str) -> str:
    """A client's secret: one line of hex (at least 32 bytes), from a regular file."""
    p = Path(path)
    if not p.is_file():
        raise AdminInvalid(f"{path} is not a regular file", key="--secret-file")
    text = p.read_bytes()[:MAX_SECRET_FILE].decode("ascii", "replace").strip().lower()
    if not re.fullmatch(r"(?:[0-9a-f]{2}){32,256}", text):
        raise AdminInvalid(f"{path} must hold the secret as one line of hex (at least 64 digits)",
                           key="--secret-file")
    return text


def open_db(ns: argparse.Namespace) -> Any:
    db = central_db.connect(central_db.database_url(ns.db))
    proxy.initialize(db)
    db.connect(reuse_if_open=True)
    return db


def c_init(ns: argparse.Namespace) -> Any:
    db = open_db(ns)
    partitions.create_table(db)
    db.create_tables(TABLES, safe=True)
    with central_db.write(db):
        central_db.append_only(db)
        Setting.insert(key="currency", value=currency(ns.currency).code).on_conflict_ignore().execute()
        indexed = index.backfill()
    return {"initialised": True, "currency": reports.center_currency(), "items_indexed": indexed,
            "sale_partitions": len(partitions.ensure_months(db, date.today()))}


def c_partitions(ns: argparse.Namespace) -> Any:
    """The sale table's monthly partitions, the months ahead created (a monthly timer's job)."""
    db = open_db(ns)
    return {"partitioned": partitions.is_partitioned(db), "partitions": partitions.ensure_months(db, date.today())}


def c_serve(ns: argparse.Namespace) -> Any:
    url = central_db.database_url(ns.db)
    host, _, port = ns.bind.rpartition(":")
    if not host or not port.isdigit():
        raise AdminInvalid("--bind is HOST:PORT", key="--bind")
    db = open_db(ns)
    partitions.ensure_months(db, date.today())
    db.close()
    env = {**os.environ, central_db.ENV_DB: url}
    if ns.insecure_cookies:   # plain-http tests and a developer's laptop only (docs/dashboard.md)
        env["PPMS_CENTRAL_INSECURE_COOKIES"] = "1"
    args = [sys.executable, "-m", "central.serve", "--workers", str(ns.workers), "--bind", ns.bind,
            "--worker-class", "uvicorn_worker.UvicornWorker", "--graceful-timeout", "5", "--timeout", "60",
            "--access-logfile", "-", "--error-logfile", "-", "--no-control-socket",
            "central.app:create_app()"]
    if ns.certfile:
        args[-1:-1] = ["--certfile", ns.certfile, "--keyfile", ns.keyfile]
    os.execvpe(args[0], args, env)


def c_terminal_add(ns: argparse.Namespace) -> Any:
    if not re.fullmatch(r"[A-Z0-9]{1,8}", ns.id):
        raise AdminInvalid("a terminal id is 1-8 capital letters or digits", key="ID")
    secret = read_secret(ns.secret_file)
    open_db(ns)
    cur = currency(reports.center_currency())
    amount = parse_money(ns.offline_max_amount, cur)
    with central_db.write(Terminal._meta.database):
        Terminal.insert(id=ns.id, secret=secret, offline_max_hours=ns.offline_max_hours, offline_max_amount=amount,
                        created_at=now_text()).on_conflict(
            conflict_target=[Terminal.id],
            update={Terminal.secret: secret, Terminal.offline_max_hours: ns.offline_max_hours,
                    Terminal.offline_max_amount: amount}).execute()
    return {"terminal": ns.id, "offline_max_hours": ns.offline_max_hours, "offline_max_amount": ns.offline_max_amount}


def c_gateway_add(ns: argparse.Namespace) -> Any:
    secret = read_secret(ns.secret_file)
    open_db(ns)
    with central_db.write(Gateway._meta.database):
        Gateway.insert(name=ns.name, secret=secret, created_at=now_text()).on_conflict(
            conflict_target=[Gateway.name], update={Gateway.secret: secret}).execute()
    return {"gateway": ns.name}


def read_password(path: str | None) -> str:
    """A new dashboard password: the first line of a regular file, or of standard input (never argv)."""
    if path is None or path == "-":
        return sys.stdin.readline().rstrip("\r\n")
    p = Path(path)
    if not p.is_file():
        raise AdminInvalid(f"{path} is not a regular file", key="--password-file")
    return p.read_text(encoding="utf-8", errors="replace")[:4096].splitlines()[0] if p.stat().st_size else ""


def c_user_add(ns: argparse.Namespace) -> Any:
    from central import users
    password = read_password(ns.password_file)
    open_db(ns)
    return users.add_user(ns.username, ns.role, password)


def c_summary(ns: argparse.Namespace) -> Any:
    open_db(ns)
    return reports.summary(ns.day_from, ns.day_to, ns.terminal)


def c_conflicts(ns: argparse.Namespace) -> Any:
    open_db(ns)
    return {"conflicts": reports.conflict_list(), "clashes": reports.clash_list()}


def c_tariff_import(ns: argparse.Namespace) -> Any:
    text = Path(ns.file).read_text(encoding="utf-8")
    open_db(ns)
    return {"cursor": admin.tariff_import(text)["cursor"]}


def c_parameter_set(ns: argparse.Namespace) -> Any:
    open_db(ns)
    return admin.parameter_set(ns.key, ns.value)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ppms-central", description="The PPMS center computer")
    p.add_argument("--db", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB (or PPMS_CENTRAL_DB)")
    p.add_argument("--json", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)
    x = sub.add_parser("init", help="create the schema")
    x.add_argument("--currency", default="KES")
    x.set_defaults(handler=c_init)
    x = sub.add_parser("serve", help="serve the API and the dashboard (gunicorn, uvicorn workers)")
    x.add_argument("--bind", default="127.0.0.1:8600")
    x.add_argument("--workers", type=int, default=2)
    x.add_argument("--certfile")
    x.add_argument("--keyfile")
    x.add_argument("--insecure-cookies", action="store_true",
                   help="dashboard cookies without Secure, for plain http on a test machine only")
    x.set_defaults(handler=c_serve)
    t = sub.add_parser("terminal").add_subparsers(dest="sub", required=True)
    x = t.add_parser("add", help="register a terminal (or change its secret and limits)")
    x.add_argument("id")
    x.add_argument("--secret-file", required=True)
    x.add_argument("--offline-max-hours", type=int, default=72)
    x.add_argument("--offline-max-amount", default="50000.00")
    x.set_defaults(handler=c_terminal_add)
    g = sub.add_parser("gateway").add_subparsers(dest="sub", required=True)
    x = g.add_parser("add", help="register a payment gateway")
    x.add_argument("name")
    x.add_argument("--secret-file", required=True)
    x.set_defaults(handler=c_gateway_add)
    u = sub.add_parser("user").add_subparsers(dest="sub", required=True)
    x = u.add_parser("add", help="a dashboard user (or a new password and role): password from a file or stdin",
                     allow_abbrev=False)
    x.add_argument("username")
    x.add_argument("--role", required=True, choices=("viewer", "auditor", "administrator"))
    x.add_argument("--password-file", help="its first line is the password (default: standard input)")
    x.set_defaults(handler=c_user_add)
    r = sub.add_parser("report").add_subparsers(dest="sub", required=True)
    x = r.add_parser("summary", help="the consolidated figures")
    x.add_argument("--from", dest="day_from", required=True)
    x.add_argument("--to", dest="day_to", required=True)
    x.add_argument("--terminal")
    x.set_defaults(handler=c_summary)
    x = sub.add_parser("conflicts", help="items stored apart (the same key with other content) and the clashes "
                                        "(a meter's purchase sold at two terminals)")
    x.set_defaults(handler=c_conflicts)
    ta = sub.add_parser("tariff").add_subparsers(dest="sub", required=True)
    x = ta.add_parser("import", help="send a tariff sheet (TOML) to every terminal")
    x.add_argument("file")
    x.set_defaults(handler=c_tariff_import)
    pa = sub.add_parser("parameter").add_subparsers(dest="sub", required=True)
    x = pa.add_parser("set", help="send a ledger parameter to every terminal")
    x.add_argument("key")
    x.add_argument("value")
    x.set_defaults(handler=c_parameter_set)
    x = sub.add_parser("partitions", help="the sale table's monthly partitions (PostgreSQL): create the months ahead")
    x.set_defaults(handler=c_partitions)
    master_data.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--json" in args:
        args.remove("--json")
        args.insert(0, "--json")
    if "--db" in args and args.index("--db") > 0:   # --db anywhere on the line
        i = args.index("--db")
        args[:0] = args[i:i + 2]
        del args[i + 2:i + 4]
    ns = build_parser().parse_args(args)
    try:
        result = ns.handler(ns)
    except PpmsError as exc:
        err = {"error": {"code": exc.code, "message": exc.message}}
        print(json.dumps(err), file=sys.stdout if ns.json else sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=None if ns.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
