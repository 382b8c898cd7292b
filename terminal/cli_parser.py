"""The `ppms` command line: global options and one sub-command per use case."""
from __future__ import annotations

import argparse
import importlib
import os


def split_globals(argv: list[str]) -> tuple[bool, str | None, str | None, list[str]]:
    """--json, --db PATH and --config PATH are accepted anywhere on the line (cli.md)."""
    as_json = False
    db = config = None
    rest: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--json":
            as_json = True
        elif a in ("--db", "--config") and i + 1 < len(argv):
            if a == "--db":
                db = argv[i + 1]
            else:
                config = argv[i + 1]
            i += 1
        elif a.startswith("--db="):
            db = a[5:]
        elif a.startswith("--config="):
            config = a[9:]
        else:
            rest.append(a)
        i += 1
    return as_json, db or os.environ.get("PPMS_DB"), config, rest


# Each area of the command line (terminal/cli_commands/<area>.py) and the top-level commands it
# adds or extends, in the order they register (cards after core: it adds `sale rewrite`). A
# command line builds only the areas of its command: importing every area's services cost
# each command a third of its start. tests/unit/test_cli_parser.py holds this table to what
# the areas really register; a new area is one line here.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("init", "demo", "tariff", "customer", "quote", "sell", "sale", "account", "check", "operator")),
    ("sts", ("sts",)),
    ("cards", ("sale", "card")),
    ("receipts", ("receipt", "invoice")),
    ("devices", ("meter", "sell-cash", "ports")),
    ("backup", ("backup", "restore")),
    ("register", ("customer", "account", "meter")),
    ("setup", ("tariff", "operator", "setup", "shift")),
    ("amend", ("amend",)),
    ("reports", ("report",)),
    ("accounts", ("account", "reading", "search")),
    ("sync", ("sync", "payment")),
    ("kiosk", ("kiosk",)),
)


def command_of(rest: list[str]) -> str | None:
    """The top-level command word of a command line (its globals taken out), if any."""
    return next((a for a in rest if not a.startswith("-")), None)


def areas_for(command: str | None) -> list[str]:
    """The areas that add or extend `command`, and the area that first makes each command they
    extend (cards hangs `sale rewrite` under core's `sale`), in registration order; every area
    when no area has the command."""
    maker: dict[str, str] = {}
    for name, commands in AREAS:
        for c in commands:
            maker.setdefault(c, name)
    wanted = {name for name, commands in AREAS if command in commands}
    while True:
        more = wanted | {maker[c] for name, commands in AREAS if name in wanted for c in commands}
        if more == wanted:
            break
        wanted = more
    return [name for name, _ in AREAS if name in wanted or not wanted]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for `command`'s areas, or for every area (no command, or one no area has:
    the usage error then lists every command)."""
    p = argparse.ArgumentParser(prog="ppms", description="Prepayment Power-selling Management System "
                                "(global options anywhere: --json, --db PATH, --config PATH)")
    sub = p.add_subparsers(dest="command", required=True)
    for name in areas_for(command):
        importlib.import_module(f"terminal.cli_commands.{name}").register(sub)
    return p
