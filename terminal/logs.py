"""Logs to the journal: one line per event on stderr, with the terminal, operator and sale it
concerns, and never a secret.

Under systemd (`$JOURNAL_STREAM` set) each line starts with its syslog priority (`<4>` for a
warning), which journald stores as the entry's priority, so `journalctl -u ppms-kiosk -p
warning` shows the warnings alone; elsewhere lines carry a time and a level name.

    logs.configure()                    once, at the start of a command (`PPMS_LOG_LEVEL`;
                                        default INFO under systemd, WARNING at a shell)
    logs.bind(terminal="T01")           who and what later lines concern: terminal, operator,
    logs.bind(operator="cashier1")      sale (shown as `terminal=T01 operator=cashier1 ...`)
    logs.secret(password)               a value that must never be written: every line (and
                                        traceback) has it replaced by `***`

Secrets are registered where they enter the program: passwords (the login, a new password),
every private file read (`files.read_text_file(private=True)`: the STS vending key, the card
secret, the receipt key, password files), the seal key, and the `PPMS_PASSWORD` /
`PPMS_NEW_PASSWORD` variables.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from contextvars import ContextVar
from typing import Any, TextIO

ENV_LEVEL = "PPMS_LOG_LEVEL"
SECRET_ENV = ("PPMS_PASSWORD", "PPMS_NEW_PASSWORD")
MIN_SECRET = 4             # shorter values would blank ordinary words
PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}
IDS = ("terminal", "operator", "sale")

_ids: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("ppms_log_ids", default=())
_secrets: set[str] = set()
_lock = threading.Lock()
_handler: logging.Handler | None = None


def secret(value: str | bytes | None) -> None:
    """Never write `value` (nor its hex, for bytes) in a log line."""
    if value is None:
        return
    values = [value.hex(), value.hex().upper()] if isinstance(value, bytes) else [value, value.strip()]
    with _lock:
        _secrets.update(v for v in values if len(v) >= MIN_SECRET)


def redact(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, "***")
    return text


def bind(**ids: str | None) -> None:
    """Name the terminal, operator or sale the following lines concern (None drops one)."""
    current = dict(_ids.get())
    for key, value in ids.items():
        if key not in IDS:
            raise ValueError(f"log ids are {IDS}, not {key!r}")
        if value is None:
            current.pop(key, None)
        else:
            current[key] = str(value)
    _ids.set(tuple((k, current[k]) for k in IDS if k in current))


class _Formatter(logging.Formatter):
    def __init__(self, journal: bool) -> None:
        head = "<%(priority)d>" if journal else "%(asctime)s %(levelname)s "
        super().__init__(head + "%(name)s: %(ids)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.priority = PRIORITY.get(record.levelno, 6)
        record.ids = "".join(f"{k}={v} " for k, v in _ids.get())
        return redact(super().format(record))


def configure(stream: TextIO | None = None, env: dict[str, str] | None = None) -> logging.Handler:
    """The root logger writes to `stream` (stderr; a second call replaces the first handler)."""
    global _handler
    env = dict(os.environ) if env is None else env
    for name in SECRET_ENV:
        secret(env.get(name))
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = logging.StreamHandler(stream or sys.stderr)
    _handler.setFormatter(_Formatter(journal=bool(env.get("JOURNAL_STREAM"))))
    root.addHandler(_handler)
    default = "INFO" if env.get("JOURNAL_STREAM") else "WARNING"
    level = env.get(ENV_LEVEL, default).upper()
    root.setLevel(level if level in logging.getLevelNamesMapping() else default)
    return _handler


def command_done(command: str, result: Any) -> None:
    """One line for each command that changed or reported a sale: its ids for the journal."""
    if isinstance(result, dict) and result.get("sale_id"):
        bind(sale=str(result["sale_id"]))
        logging.getLogger("ppms").info("%s: sale %s receipt %s %s", command, result["sale_id"],
                                       result.get("receipt_no"), result.get("status", ""))


def command_refused(command: str, code: str, message: str, unavailable: bool) -> None:
    """A refusal: a warning when the ledger could not take the write (DISK_FULL, LEDGER_BUSY)."""
    level = logging.WARNING if unavailable else logging.INFO
    logging.getLogger("ppms").log(level, "%s refused: %s %s", command, code, message)


def command_failed(command: str, exc: BaseException) -> None:
    log = logging.getLogger("ppms")
    log.error("%s failed: %s: %s", command, type(exc).__name__, exc)
    log.debug("%s traceback", command, exc_info=exc)
