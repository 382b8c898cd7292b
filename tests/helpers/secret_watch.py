"""The whole suite's secrets against everything the suite's commands wrote.

Every `ppms` command a test runs through `Ppms.run` hands this module its arguments, its
environment, what it read on stdin and what it printed (stdout and stderr: the journal's
lines). The secrets are gathered on the way: the passwords given (PPMS_PASSWORD,
PPMS_NEW_PASSWORD, a password read on stdin or given after a password option), the contents
of every secret file the environment names (`*_FILE`: STS vending keys, card secrets,
receipt keys, sync secrets) and, at the end, every ledger's seal key (`<db>.key`) under the
session's temporary folder. `findings()` then looks for each secret, in the forms it could
be written (as given, upper and lower case, hex), in every command's output and in every
diary row of every ledger the suite left (`tests/conftest.py` fails the session on one).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

MIN_LENGTH = 6                     # shorter values ("1234") match by chance, not by a leak
PASSWORD_VARS = ("PPMS_PASSWORD", "PPMS_NEW_PASSWORD")
PASSWORD_OPTIONS = ("--admin-password", "--password", "--new-password")


class SecretWatch:
    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}           # secret -> where it came from
        self.outputs: list[tuple[str, str]] = []    # (the command, what it printed)

    def _add(self, value: str | None, origin: str) -> None:
        value = (value or "").strip()
        if len(value) >= MIN_LENGTH:
            self.secrets.setdefault(value, origin)

    def _file(self, path: str, origin: str) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for line in text.splitlines():
            self._add(line, origin)

    def saw(self, args: list[str], env: Mapping[str, str], stdin: str | None, stdout: str, stderr: str) -> None:
        for name in PASSWORD_VARS:
            self._add(env.get(name), name)
        for name, value in env.items():
            if name.startswith("PPMS_") and name.endswith("_FILE") and value:
                self._file(value, name)
        for line in (stdin or "").splitlines():
            self._add(line, "stdin")
        for option, value in zip(args, args[1:]):
            if option in PASSWORD_OPTIONS:
                self._add(value, option)
        self.outputs.append((" ".join(args), stdout + "\n" + stderr))

    def findings(self, temp_root: Path | None) -> list[str]:
        """Each secret found where it must never be: '<its origin> in <where>'."""
        ledgers = sorted(temp_root.rglob("*.db")) if temp_root is not None else []
        for db in ledgers:
            self._file(str(db.with_name(db.name + ".key")), "seal key")
        written = [(f"`ppms {cmd}`", text) for cmd, text in self.outputs]
        written += [(f"the diary of {db}", line) for db in ledgers for line in _diary_lines(db)]
        found: list[str] = []
        for secret, origin in self.secrets.items():
            shapes = forms(secret)
            for where, text in written:
                if any(shape in text for shape in shapes):
                    found.append(f"{origin} ({len(secret)} characters) in {where}")
                    break
        return found


def forms(value: str) -> set[str]:
    """A secret as it could be written: as given, upper and lower case, its bytes' hex."""
    out = {value, value.upper(), value.lower()}
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        out.add(value.encode().hex())
    else:
        out |= {raw.hex(), raw.hex().upper()}
    return {f for f in out if len(f) >= MIN_LENGTH}


def _diary_lines(db: Path) -> Iterable[str]:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT at, operator, action, entity, before, after FROM diary").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return []
    return [repr(r) for r in rows]


SUITE = SecretWatch()      # what `Ppms.run` reports to; tests/conftest.py reads it at the end
saw = SUITE.saw
