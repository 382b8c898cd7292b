"""Typed, strict reading of a parsed TOML document, naming the key and line of a fault.

``tomllib`` gives values without positions; :class:`TomlChecker` finds the line of a
key path again in the source text (best effort, for the usual layout of one
``[[array]]`` header per element and ``key = value`` lines; ``None`` when unsure).
A key path is a tuple like ``("power_type", 0, "block", 1, "price", "ENERGY")``,
shown as ``power_type[0].block[1].price.ENERGY``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from terminal.domain.errors import DomainError, TariffFileInvalid

__all__ = ["KeyPath", "TomlChecker", "key_text"]

KeyPath = tuple[str | int, ...]
T = TypeVar("T")
_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}", re.ASCII)


def key_text(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _strip_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


class TomlChecker:
    """Reads values out of a ``tomllib`` document; every refusal is a TariffFileInvalid."""

    def __init__(self, text: str) -> None:
        self._lines = [_strip_comment(line) for line in text.splitlines()]

    # -- locating -------------------------------------------------------------
    def _header(self, name: str, index: int, start: int, stop: int) -> int | None:
        seen = -1
        for i in range(start, stop):
            if self._lines[i].replace(" ", "").replace("\t", "").startswith(f"[[{name}]]"):
                seen += 1
                if seen == index:
                    return i
        return None

    def _section_end(self, start: int, stop: int, name: str) -> int:
        for i in range(start + 1, stop):
            stripped = self._lines[i].strip().replace(" ", "")
            if stripped.startswith("[[") and not stripped.startswith(f"[[{name}."):
                return i
        return stop

    def locate(self, path: KeyPath) -> int | None:
        """1-based line of ``path`` in the source, or None."""
        start, stop, header, name = 0, len(self._lines), None, ""
        rest = list(path)
        while len(rest) >= 2 and isinstance(rest[0], str) and isinstance(rest[1], int):
            full = f"{name}.{rest[0]}" if name else rest[0]
            found = self._header(full, rest[1], start if header is None else start + 1, stop)
            if found is None:
                break
            name, header, start = full, found, found
            stop = self._section_end(found, stop, full)
            rest = rest[2:]
        first = start if header is None else start + 1
        direct_end = next((i for i in range(first, stop) if self._lines[i].lstrip().startswith("[")),
                          stop)
        if header is None:
            stop = direct_end
        for leaf in [p for p in reversed(rest) if isinstance(p, str)]:
            pattern = re.compile(rf"(^|[{{,\s]){re.escape(leaf)}\s*=|\"{re.escape(leaf)}\"\s*=")
            for lo, hi in ((first, direct_end), (first, stop)):
                for i in range(lo, hi):
                    if pattern.search(self._lines[i]):
                        return i + 1
        return None if header is None else header + 1

    # -- refusing -------------------------------------------------------------
    def fail(self, path: KeyPath, message: str) -> NoReturn:
        key = key_text(path)
        line = self.locate(path)
        where = f" (line {line})" if line is not None else ""
        raise TariffFileInvalid(f"Tariff file refused: {key}{where}: {message}", key=key, line=line)

    def convert(self, path: KeyPath, value: Any, parse: Callable[[str], T]) -> T:
        """``parse`` a decimal written as a string (or a TOML integer); floats are refused."""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            if isinstance(value, float):
                self.fail(path, "write decimal numbers in quotes, like \"12.50\"")
            self.fail(path, f"expected a decimal number in quotes, found {value!r}")
        try:
            return parse(str(value))
        except DomainError as exc:
            self.fail(path, exc.message)

    # -- reading --------------------------------------------------------------
    def keys(self, table: dict[str, Any], path: KeyPath, required: tuple[str, ...],
             optional: tuple[str, ...] = ()) -> None:
        for key in table:
            if key not in required and key not in optional:
                self.fail((*path, key), "unknown key (allowed: "
                          + ", ".join(sorted((*required, *optional))) + ")")
        for key in required:
            if key not in table:
                self.fail((*path, key), "this key is missing")

    def tables(self, table: dict[str, Any], path: KeyPath, key: str,
               required: bool = True) -> list[dict[str, Any]]:
        value = table.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            name = ".".join(p for p in (*path, key) if isinstance(p, str))
            self.fail((*path, key), f"expected one or more [[{name}]] tables")
        return value

    def mapping(self, table: dict[str, Any], path: KeyPath, key: str) -> dict[str, Any]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            self.fail((*path, key), "expected a table like { ENERGY = \"12.00\" }")
        return value

    def string(self, table: dict[str, Any], path: KeyPath, key: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail((*path, key), "expected a non-empty text in quotes")
        return value.strip()

    def code(self, table: dict[str, Any], path: KeyPath, key: str) -> str:
        value = self.string(table, path, key)
        if not _CODE.fullmatch(value):
            self.fail((*path, key), f"{value!r} is not a code (1-32 letters, digits, _ or -)")
        return value

    def codes(self, table: dict[str, Any], path: KeyPath, key: str) -> list[str]:
        value = table.get(key)
        if not isinstance(value, list) or not value:
            self.fail((*path, key), "expected a list of codes like [\"RES\"]")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not _CODE.fullmatch(item):
                self.fail((*path, key, i), f"{item!r} is not a code")
        return list(value)

    def date(self, table: dict[str, Any], path: KeyPath, key: str) -> dt.date:
        value = table.get(key)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, re.ASCII):
                    return dt.date.fromisoformat(value)
            except ValueError:
                pass
        shown = value.isoformat() if isinstance(value, (dt.date, dt.time)) else repr(value)
        self.fail((*path, key), f"{shown} is not a date like \"2026-01-01\"")
