"""The `ppms` command line: global options and one sub-command per use case."""
from __future__ import annotations

import argparse
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


def build_parser() -> argparse.ArgumentParser:
    from terminal.cli_commands import (
        accounts,
        amend,
        backup,
        cards,
        core,
        devices,
        kiosk,
        receipts,
        register,
        reports,
        setup,
        sts,
    )
    from terminal.cli_commands import sync as sync_commands
    p = argparse.ArgumentParser(prog="ppms", description="Prepayment Power-selling Management System "
                                "(global options anywhere: --json, --db PATH, --config PATH)")
    sub = p.add_subparsers(dest="command", required=True)
    # cards after core: it adds `sale rewrite`
    for area in (core, sts, cards, receipts, devices, backup, register, setup, amend, reports, accounts,
                 sync_commands, kiosk):
        area.register(sub)
    return p
