"""`ppms sync now|run|status`: the terminal's sync with the center (docs/sync.md). The agent
runs as the system, not as an operator: no login."""
from __future__ import annotations

import argparse
import logging
import sys
from functools import partial
from typing import Any

from terminal import notify
from terminal.cli_commands.common import app_of, session_of


def _agent(g: dict[str, Any]) -> Any:
    from sync import runner
    from terminal.services import sync_feed
    app = app_of(g)
    return app, runner.build_agent(app, partial(sync_feed.apply, app.ctx))


def h_now(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    app, agent = _agent(g)
    try:
        return agent.once().as_json()
    finally:
        app.close()


def h_run(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from sync import runner
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    app, agent = _agent(g)
    s = app.settings.sync
    try:
        runner.Runner(agent, s.interval_s, s.backoff_max_s).run_until_stopped(
            ready=partial(notify.ready, "syncing"), heartbeat=notify.Heartbeat())
    finally:
        notify.stopping()
        app.close()
    return {"stopped": True}


def h_status(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from sync import runner
    app = app_of(g)
    try:
        return runner.status(app)
    finally:
        app.close()


def h_payment_pending(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import bank_payments
    app, s = session_of(g)
    return bank_payments.pending(app.ctx, s, ns.meter)


def h_payment_apply(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    from terminal.services import bank_payments
    app, s = session_of(g)
    return bank_payments.apply(app.ctx, s, ns.meter)


def register(sub: Any) -> None:
    s = sub.add_parser("sync", help="sync with the center computer").add_subparsers(dest="sub", required=True)
    s.add_parser("now", help="one pass up and down, then exit").set_defaults(handler=h_now)
    s.add_parser("run", help="the scheduled agent (a systemd service)").set_defaults(handler=h_run)
    s.add_parser("status", help="backlog, cursor, last sync, clock drift, offline limits").set_defaults(
        handler=h_status)
    p = sub.add_parser("payment", help="bank payments the center holds for card meters").add_subparsers(
        dest="sub", required=True)
    x = p.add_parser("pending", help="the bank payments waiting (for one meter)")
    x.add_argument("--meter")
    x.set_defaults(handler=h_payment_pending)
    x = p.add_parser("apply", help="sell the meter's oldest waiting bank payment onto its card")
    x.add_argument("--meter", required=True)
    x.set_defaults(handler=h_payment_apply)
