"""The field types of the wire records and the strict check of one value against them.

A record class lists its fields as ``WIRE = (Field(attr, key, type), ...)``: the
attribute of the frozen dataclass, its short key on the wire and its type. Every type
both checks a Python value (before encoding) and reads a JSON value (when decoding)
with the same rules, so nothing is written that a reader would refuse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sync.errors import WireRecordInvalid

#: Largest integer in a record: far inside SQLite's and JSON readers' 64-bit range.
MAX_INT = 10 ** 15
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?",
                   re.ASCII)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class Where:
    """Where a check is: the kind and the dotted path of the field. `at` only links to its
    parent; the path is spelled out when a check fails (a record's every field has a Where:
    building each path eagerly was a quarter of the time to read a sale)."""
    __slots__ = ("kind", "_path", "_parent", "_part")

    def __init__(self, kind: str, path: tuple[str, ...] = ()) -> None:
        self.kind, self._path = kind, path
        self._parent: Where | None = None
        self._part: str | int = ""

    @property
    def path(self) -> tuple[str, ...]:
        if self._parent is None:
            return self._path
        return (*self._parent.path, str(self._part))

    def at(self, part: str | int) -> Where:
        child = Where(self.kind)
        child._parent, child._part = self, part
        return child

    def fail(self, reason: str) -> WireRecordInvalid:
        name = ".".join(self.path) or None
        return WireRecordInvalid(f"{self.kind} record: {name or 'the record'} {reason}",
                                 kind=self.kind, field=name, reason=reason)


class WireType(Protocol):
    def load(self, value: Any, where: Where) -> Any:
        """The Python value of a JSON value; raises WireRecordInvalid."""

    def dump(self, value: Any, where: Where) -> Any:
        """The JSON value of a Python value; raises WireRecordInvalid on a bad value."""


@dataclass(frozen=True)
class Int:
    """An integer (never a bool or a float): money in minor units, energy in 0.01 kWh, counts."""
    lo: int = 0
    hi: int = MAX_INT

    def load(self, value: Any, where: Where) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.fail(f"must be an integer, not {type(value).__name__}")
        if not self.lo <= value <= self.hi:
            raise where.fail(f"must be from {self.lo} to {self.hi}")
        return value

    dump = load


#: Money that is never negative (an amount) and money that may be (a balance).
MONEY = Int()
BALANCE = Int(lo=-MAX_INT)
ENERGY = Int()
COUNT = Int()


@dataclass(frozen=True)
class Text:
    max_len: int
    min_len: int = 0
    pattern: re.Pattern[str] | None = None

    def load(self, value: Any, where: Where) -> str:
        if not isinstance(value, str):
            raise where.fail(f"must be a string, not {type(value).__name__}")
        if not self.min_len <= len(value) <= self.max_len:
            raise where.fail(f"must be {self.min_len} to {self.max_len} characters long")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise where.fail("must be valid Unicode text") from None
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise where.fail(f"is not in the form {self.pattern.pattern}")
        return value

    dump = load


UUID = Text(36, 36, _UUID)
CODE = Text(32, 1, re.compile(r"[A-Za-z0-9_-]+", re.ASCII))
CURRENCY = Text(3, 3, re.compile(r"[A-Z]{3}", re.ASCII))
METER = Text(20, 1, re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*", re.ASCII))
NAME = Text(200)
REASON = Text(500)


@dataclass(frozen=True)
class _Moment:
    """An ISO time (seconds, optional offset) or day, as text."""
    pattern: re.Pattern[str]
    day: bool

    def load(self, value: Any, where: Where) -> str:
        text = Text(25).load(value, where)
        try:
            if not self.pattern.fullmatch(text):
                raise ValueError(text)
            (date if self.day else datetime).fromisoformat(text)
        except ValueError:
            raise where.fail("must be an ISO " + ("date YYYY-MM-DD" if self.day else
                                                   "time YYYY-MM-DDTHH:MM:SS")) from None
        return text

    dump = load


TIME = _Moment(_TIME, day=False)
DAY = _Moment(_DAY, day=True)


class Bool:
    def load(self, value: Any, where: Where) -> bool:
        if not isinstance(value, bool):
            raise where.fail(f"must be true or false, not {type(value).__name__}")
        return value

    dump = load


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]

    def load(self, value: Any, where: Where) -> str:
        if not isinstance(value, str) or value not in self.values:
            raise where.fail(f"must be one of {', '.join(self.values)}")
        return value

    dump = load


@dataclass(frozen=True)
class Scalar:
    """A flag's value: true/false, an integer or a short text (a driver's status word)."""

    def load(self, value: Any, where: Where) -> bool | int | str:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return Int(lo=-MAX_INT).load(value, where)
        if isinstance(value, str):
            return Text(64).load(value, where)
        raise where.fail(f"must be true, false, an integer or a string, not {type(value).__name__}")

    dump = load


@dataclass(frozen=True)
class ListOf:
    item: WireType
    max_items: int = 1000

    def load(self, value: Any, where: Where) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise where.fail(f"must be a list, not {type(value).__name__}")
        if len(value) > self.max_items:
            raise where.fail(f"must have at most {self.max_items} items")
        return tuple(self.item.load(v, where.at(i)) for i, v in enumerate(value))

    def dump(self, value: Any, where: Where) -> list[Any]:
        if not isinstance(value, tuple):
            raise where.fail(f"must be a tuple, not {type(value).__name__}")
        if len(value) > self.max_items:
            raise where.fail(f"must have at most {self.max_items} items")
        return [self.item.dump(v, where.at(i)) for i, v in enumerate(value)]


@dataclass(frozen=True)
class MapOf:
    """A JSON object with code keys, held as a tuple of (key, value) pairs sorted by key."""
    value: WireType
    key: Text = CODE
    max_items: int = 100

    def load(self, value: Any, where: Where) -> tuple[tuple[str, Any], ...]:
        if not isinstance(value, dict):
            raise where.fail(f"must be an object, not {type(value).__name__}")
        if len(value) > self.max_items:
            raise where.fail(f"must have at most {self.max_items} entries")
        return tuple((self.key.load(k, where.at(k)), self.value.load(v, where.at(k)))
                     for k, v in sorted(value.items()))

    def dump(self, value: Any, where: Where) -> dict[str, Any]:
        if not isinstance(value, tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in value):
            raise where.fail("must be a tuple of (key, value) pairs")
        keys = [k for k, _ in value]
        if keys != sorted(set(keys)):
            raise where.fail("must have unique keys in sorted order")
        if len(value) > self.max_items:
            raise where.fail(f"must have at most {self.max_items} entries")
        return {self.key.dump(k, where.at(k)): self.value.dump(v, where.at(k)) for k, v in value}


@dataclass(frozen=True)
class Field:
    attr: str
    key: str
    type: WireType
    optional: bool = False     # None is left out on the wire; a present value is never null
    since: int = 1             # the record version that added it (a later field is always optional)


@dataclass(frozen=True)
class Nested:
    """A record inside a record (a sale's line, a meter's STS settings)."""
    cls: type[Any]

    def load(self, value: Any, where: Where) -> Any:
        return load_fields(self.cls, value, where, version=1)

    def dump(self, value: Any, where: Where) -> dict[str, Any]:
        if not isinstance(value, self.cls):
            raise where.fail(f"must be a {self.cls.__name__}")
        return dump_fields(value, where, version=1)


@dataclass(frozen=True)
class Packed:
    """A small record of required fields held as a JSON array in field order (a sale's
    energy line ``["RES",1,"ENERGY",5651,67812]``): its keys are documentation only."""
    cls: type[Any]

    def load(self, value: Any, where: Where) -> Any:
        fields = self.cls.WIRE
        if not isinstance(value, list) or len(value) != len(fields):
            raise where.fail(f"must be a list of {len(fields)} values ({', '.join(f.key for f in fields)})")
        return self.cls(*(f.type.load(v, where.at(f.key)) for f, v in zip(fields, value)))

    def dump(self, value: Any, where: Where) -> list[Any]:
        if not isinstance(value, self.cls):
            raise where.fail(f"must be a {self.cls.__name__}")
        return [f.type.dump(getattr(value, f.attr), where.at(f.key)) for f in self.cls.WIRE]


def dump_fields(record: Any, where: Where, version: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in record.WIRE:
        value = getattr(record, f.attr)
        if f.since > version or (f.optional and value is None):
            if value is not None:
                raise where.at(f.key).fail(f"is not part of version {version}")
            continue
        if value is None:
            raise where.at(f.key).fail("is required")
        out[f.key] = f.type.dump(value, where.at(f.key))
    return out


def load_fields(cls: Any, value: Any, where: Where, version: int, skip: frozenset[str] = frozenset()) -> Any:
    if not isinstance(value, dict):
        raise where.fail(f"must be an object, not {type(value).__name__}")
    fields = [f for f in cls.WIRE if f.since <= version]
    extra = sorted(set(value) - {f.key for f in fields} - skip)
    if extra:
        raise where.at(extra[0]).fail("is not a field of this record")
    kwargs: dict[str, Any] = {f.attr: None for f in cls.WIRE}
    for f in fields:
        if f.key not in value:
            if not f.optional:
                raise where.at(f.key).fail("is missing")
            continue
        kwargs[f.attr] = f.type.load(value[f.key], where.at(f.key))
    return cls(**kwargs)
