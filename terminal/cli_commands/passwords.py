"""Where the `ppms` command takes a password from: never from its own command line.

A password on the command line is visible to every user of the box (``/proc/PID/cmdline``,
``ps``). A new password comes from, in this order: ``--password-file F`` (a regular file of
this user's, ``chmod 600``, its first line), ``--password-stdin`` (the first line of standard
input), an environment variable (``PPMS_PASSWORD`` for ``ppms init``, ``PPMS_NEW_PASSWORD``
otherwise: the environment is readable only by the same user), or a prompt at a terminal
(asked twice). ``ppms init --admin-password PW`` stays accepted (cli.md) with a warning on
stderr. Ctrl-D at a prompt is a refusal, not a crash.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from terminal import logs
from terminal.files import MAX_KEY_BYTES, read_text_file
from terminal.services.errors import AuthFailed, InvalidArgument

MAX_PASSWORD_CHARS = 1024


def ask(prompt: str, secret: bool = False) -> str:
    """One answer typed at the terminal; end of input (Ctrl-D) refuses the command."""
    try:
        return getpass.getpass(prompt) if secret else input(prompt)
    except EOFError:
        raise AuthFailed("nothing was typed (end of input): the command was not run") from None


def password_options(x: argparse.ArgumentParser, env_name: str) -> None:
    x.add_argument("--password-file", metavar="F",
                   help="read the new password from the first line of F (chmod 600)")
    x.add_argument("--password-stdin", action="store_true",
                   help="read the new password from the first line of standard input")
    x.set_defaults(password_env=env_name)


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].removesuffix("\r")


def new_password(ns: argparse.Namespace, what: str, flag_value: str | None = None, flag: str = "") -> str:
    """The new password for `what` from the one source the command line names, the
    environment, or a prompt (see the module's docstring)."""
    chosen = [name for name, given in (("--password-file", ns.password_file is not None),
                                       ("--password-stdin", ns.password_stdin),
                                       (flag, flag_value is not None)) if given]
    if len(chosen) > 1:
        raise InvalidArgument(f"give the password one way, not {' and '.join(chosen)}", key="password")
    if ns.password_file is not None:
        password = _first_line(read_text_file(ns.password_file, what="password file", key="--password-file",
                                              limit=MAX_KEY_BYTES, private=True))
    elif ns.password_stdin:
        try:
            password = _first_line(sys.stdin.readline(MAX_PASSWORD_CHARS + 2))
        except UnicodeDecodeError:
            raise InvalidArgument("the password on standard input is not UTF-8 text", key="password") from None
    elif flag_value is not None:
        print(f"warning: {flag} puts the password where every user of this machine can read it "
              "(ps, /proc); use --password-file, --password-stdin or a prompt", file=sys.stderr)
        password = flag_value
    elif os.environ.get(ns.password_env) is not None:
        password = os.environ[ns.password_env]
    elif sys.stdin.isatty():
        password = ask(f"New password for {what}: ", secret=True)
        if ask("Again: ", secret=True) != password:
            raise InvalidArgument("the two passwords differ", key="password")
    else:
        raise InvalidArgument(f"give the password for {what} with --password-file F, --password-stdin "
                              f"or {ns.password_env}, or run from a terminal to be asked", key="password")
    logs.secret(password)
    return password
