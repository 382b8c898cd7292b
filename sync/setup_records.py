"""The wire records of system setup and cashier shifts: a parameter changed, a dictionary
entry added or removed, an authority (permission) change, a device setting stored, and a
shift opened, closed or signed off. Money in minor units (``cur`` names the currency)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from sync.fields import BALANCE, CODE, CURRENCY, MONEY, NAME, TIME, UUID, Bool, Choice, Field, Text
from sync.records import OPERATOR

PARAMETER_KEY = Text(64, 1, re.compile(r"[a-z][a-z0-9_.]*", re.ASCII))   # a dotted key: fee.reissue_card
VALUE = Text(500)


@dataclass(frozen=True)
class ParameterRecord:
    """kind ``parameter``: a parameter set to a new value (its stored text: money in minor units)."""
    key: str
    value: str
    at: str
    operator: str
    previous: str | None = None
    KIND: ClassVar = "parameter"
    WIRE: ClassVar = (Field("key", "k", PARAMETER_KEY), Field("value", "val", VALUE), Field("at", "at", TIME),
                      Field("operator", "op", OPERATOR), Field("previous", "was", VALUE, optional=True))


@dataclass(frozen=True)
class DictionaryRecord:
    """kind ``dictionary``: a system dictionary entry added (or renamed) or removed."""
    dictionary: str
    code: str
    name: str
    active: bool
    at: str
    operator: str
    KIND: ClassVar = "dictionary"
    WIRE: ClassVar = (Field("dictionary", "d", CODE), Field("code", "c", CODE), Field("name", "n", NAME),
                      Field("active", "on", Bool()), Field("at", "at", TIME), Field("operator", "op", OPERATOR))


@dataclass(frozen=True)
class AuthorityRecord:
    """kind ``authority``: a permission granted or revoked for a role or for one operator;
    ``state`` "role" takes an operator's own grant away (the role's grant applies again)."""
    subject: str
    name: str
    permission: str
    state: str
    at: str
    operator: str
    KIND: ClassVar = "authority"
    WIRE: ClassVar = (Field("subject", "s", Choice(("role", "operator"))), Field("name", "n", OPERATOR),
                      Field("permission", "p", CODE), Field("state", "st", Choice(("granted", "revoked", "role"))),
                      Field("at", "at", TIME), Field("operator", "op", OPERATOR))


@dataclass(frozen=True)
class DeviceSettingRecord:
    """kind ``device_setting``: one device setting of the port set stored over the config file."""
    key: str
    value: str
    at: str
    operator: str
    KIND: ClassVar = "device_setting"
    WIRE: ClassVar = (Field("key", "k", PARAMETER_KEY), Field("value", "val", VALUE), Field("at", "at", TIME),
                      Field("operator", "op", OPERATOR))


@dataclass(frozen=True)
class ShiftRecord:
    """kind ``shift``: a cashier's shift as it stands after an event (open, close, signoff).
    expected = float + cash_in; difference = counted - expected (negative: cash short)."""
    shift_id: str
    event: str
    cashier: str
    currency: str
    float: int
    opened_at: str
    closed_at: str | None = None
    cash_in: int | None = None
    expected: int | None = None
    counted: int | None = None
    difference: int | None = None
    signed_at: str | None = None
    signed_by: str | None = None
    KIND: ClassVar = "shift"
    WIRE: ClassVar = (Field("shift_id", "id", UUID), Field("event", "ev", Choice(("open", "close", "signoff"))),
                      Field("cashier", "op", OPERATOR), Field("currency", "cur", CURRENCY),
                      Field("float", "fl", MONEY), Field("opened_at", "from", TIME),
                      Field("closed_at", "to", TIME, optional=True), Field("cash_in", "in", BALANCE, optional=True),
                      Field("expected", "exp", BALANCE, optional=True),
                      Field("counted", "cnt", MONEY, optional=True),
                      Field("difference", "diff", BALANCE, optional=True),
                      Field("signed_at", "sat", TIME, optional=True),
                      Field("signed_by", "sby", OPERATOR, optional=True))
