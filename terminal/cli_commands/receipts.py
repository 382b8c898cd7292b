"""Receipt commands: reprint, the reprint queue, the invoice format."""
from __future__ import annotations

import argparse
import tomllib
from typing import Any

from terminal.cli_commands.common import session_of
from terminal.files import parse_toml, read_text_file
from terminal.services.errors import InvalidArgument


def h_reprint(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import receipts
    app, s = session_of(g)
    return receipts.reprint(app.ctx, s, ns.id)


def h_queue(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import receipts
    app, s = session_of(g)
    return {"waiting": receipts.queued(app.ctx, s)}


def h_retry(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import receipts
    app, s = session_of(g)
    return receipts.retry(app.ctx, s)


def h_invoice_show(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import receipts
    app, s = session_of(g)
    return receipts.show_format(app.ctx, s)


def h_invoice_set(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import receipts
    app, s = session_of(g)
    return receipts.set_format(app.ctx, s, key=ns.key, value=ns.value)


def h_invoice_import(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import receipts
    text = read_text_file(ns.file, what="invoice format", key="FILE", error=InvalidArgument)
    try:
        data = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgument(f"cannot read invoice format {ns.file}: {exc}", key="FILE") from None
    app, s = session_of(g)
    return receipts.set_format(app.ctx, s, whole=data)


def register(sub: Any) -> None:
    r = sub.add_parser("receipt", help="receipts waiting for the printer").add_subparsers(dest="sub", required=True)
    r.add_parser("queue", help="receipts that could not be printed").set_defaults(handler=h_queue)
    r.add_parser("retry", help="print the waiting receipts").set_defaults(handler=h_retry)

    i = sub.add_parser("invoice", help="the invoice format (receipt layout)").add_subparsers(dest="sub",
                                                                                            required=True)
    i.add_parser("show", help="the invoice format in use").set_defaults(handler=h_invoice_show)
    x = i.add_parser("set", help="change one setting; lists separated by '|' (labels.X for a label)")
    x.add_argument("key")
    x.add_argument("value")
    x.set_defaults(handler=h_invoice_set)
    x = i.add_parser("import", help="store a whole format from a TOML file")
    x.add_argument("file")
    x.set_defaults(handler=h_invoice_import)
