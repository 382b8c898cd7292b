"""The `ppms` command (spec/cli.md): argument parsing, the operator's login and
output. Every command calls a service; there is no logic of its own here.

Exit codes: 0 done, 2 refused (a PpmsError a user can cause, or the ledger busy or its
disk full: LEDGER_BUSY, DISK_FULL, nothing written), 1 internal failure, 3 the ledger is
unsound (its seal removed; `ppms check` also exits 3 for what it finds).
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from terminal import logs
from terminal.cli_commands.render import render
from terminal.cli_parser import build_parser, command_of, split_globals
from terminal.domain.errors import PpmsError
from terminal.services.errors import (
    AuthFailed,
    LedgerError,
    LedgerUnavailable,
    LedgerUnsound,
    SchemaTooNew,
    SealKeyMissing,
)


class CliUsageError(PpmsError):
    code = "USAGE"


def login(app: Any) -> Any:
    from terminal.cli_commands.passwords import ask  # noqa: PLC0415
    from terminal.services import auth  # noqa: PLC0415
    user = os.environ.get("PPMS_OPERATOR")
    password = os.environ.get("PPMS_PASSWORD")
    if user is None or password is None:
        if not sys.stdin.isatty():
            raise AuthFailed("set PPMS_OPERATOR and PPMS_PASSWORD, or run from a terminal to be asked")
        user = user or ask("Operator: ")
        password = password if password is not None else ask("Password: ", secret=True)
    logs.secret(password)
    session = auth.login(app.ctx, user, password, record=False)
    logs.bind(operator=user)
    return session


SECRET_OPTION = re.compile(r"--[\w-]*(password|secret|psc|key)(?![\w-]*-file)[\w-]*", re.IGNORECASE)


def shown_argv(args: Sequence[str]) -> list[str]:
    """The command line as an error may repeat it: the value of an option that names a password,
    a secret, a PSC or a key (not a file of one) is shown as ***, also as --option=value."""
    out: list[str] = []
    hide = False
    for arg in args:
        option, eq, _value = arg.partition("=")
        if hide:
            out.append("***")
            hide = False
        elif SECRET_OPTION.fullmatch(option) and eq:
            out.append(f"{option}=***")
        else:
            out.append(arg)
            hide = SECRET_OPTION.fullmatch(arg) is not None and arg != "--password-stdin"
    return out


def refuse_undecodable(args: Sequence[str]) -> None:
    """Every argument and PPMS_* variable is text: a byte that is not UTF-8 (0xFF arrives as a
    lone surrogate) is refused here, before any command sees it."""
    named = [(f"argument {i + 1}", a) for i, a in enumerate(args)]
    named += [(k, v) for k, v in os.environ.items() if k.startswith("PPMS_")]
    for where, text in named:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise CliUsageError(f"{where} is not UTF-8 text: {shown[:60]!r}", key=where) from None


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    as_json, db_path, config, rest = split_globals(args_in)
    logs.configure()
    command = " ".join(a for a in rest[:2] if not a.startswith("-"))
    parser = build_parser(command_of(rest))
    try:
        refuse_undecodable(args_in)
        if not rest:
            raise CliUsageError("no command given; try `ppms --help`")
        try:
            ns = parser.parse_args(rest)
        except SystemExit as exc:  # argparse already printed usage for humans
            if exc.code == 0:
                return 0
            raise CliUsageError(f"bad command line: {' '.join(shown_argv(rest))}") from None
        result = ns.handler(ns, {"db": db_path, "config": config, "login": login, "json": as_json})
    except PpmsError as exc:
        internal = isinstance(exc, LedgerError) and not isinstance(
            exc, (SchemaTooNew, LedgerUnavailable, SealKeyMissing))
        _error(as_json, exc.code, exc.message, exc.public_details())
        logs.command_refused(command, exc.code, exc.message, isinstance(exc, LedgerUnavailable))
        return 3 if isinstance(exc, LedgerUnsound) else 1 if internal else 2
    except KeyboardInterrupt:
        _error(as_json, "INTERRUPTED", "interrupted", {})
        return 1
    except Exception as exc:
        code = getattr(exc, "code", None)
        if isinstance(code, str) and code.isupper() and type(exc).__module__.startswith("hardware."):
            # a driver's own error (hardware/*/errors.py) from a support command: refused input
            _error(as_json, code, str(getattr(exc, "message", exc)), {})
            return 2
        _error(as_json, "INTERNAL_ERROR", logs.redact(f"{type(exc).__name__}: {exc}"), {})
        logs.command_failed(command, exc)
        if os.environ.get("PPMS_DEBUG"):
            raise
        return 1
    exit_code = 0
    if isinstance(result, tuple):
        result, exit_code = result
    logs.command_done(command, result)
    try:
        print(json.dumps(result, ensure_ascii=False) if as_json else render(result), flush=True)
    except BrokenPipeError:  # `ppms ... | head`: the reader left; what was done stands
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return exit_code


def _error(as_json: bool, code: str, message: str, details: dict[str, Any]) -> None:
    if as_json:
        err: dict[str, Any] = {"code": code, "message": message}
        if details:
            err["details"] = details
        print(json.dumps({"error": err}, ensure_ascii=False))
    else:
        print(f"error {code}: {message}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
