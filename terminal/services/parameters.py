"""Parameters: the typed registry of the terminal's known settings, stored in the ledger
with their history (`ppms setup param show|set|history`).

The value in force sits in `meta` under the parameter's key (`sale.max_tender` is read
there by selling); every change appends a `parameter_change` row, a diary entry and an
outbox row (`parameter`). A key never set has its registry default.

Other functions read parameters through this module:

    param(ctx, key)           the value in force (int for money/energy/count, str for text)
    param_in(r, key)          the same inside a read or unit of work already open
    money_param(ctx, key)     a money parameter, in minor units (fees: fee.reissue_card, ...)

Kinds: ``money`` (minor units of the ledger's currency, shown as decimal text), ``kwh``
(0.01 kWh, shown with two decimals), ``count`` (a whole number), ``text``. A read-only
parameter (``terminal.id``, ``currency``) is shown but refused by `set`
(PARAMETER_READ_ONLY): the receipt numbers and every sum in the ledger depend on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.setup_records import ParameterRecord
from terminal.domain.errors import PpmsError
from terminal.domain.money import Currency, currency, format_kwh, format_money, parse_kwh, parse_money
from terminal.ledger import Fact, Outgoing, Repositories
from terminal.ledger.meta import MAX_TENDER, MAX_TENDER_DEFAULT
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument, ParameterInvalid, ParameterReadOnly, ParameterUnknown

MAX_TEXT = 200


@dataclass(frozen=True)
class Parameter:
    key: str
    kind: str                 # "money", "kwh", "count" or "text"
    default: int | str
    description: str
    read_only: bool = False
    lowest: int = 0           # money, kwh and count: the smallest value allowed
    meta_key: str | None = None   # where the value lives in meta when it is not the key itself

    @property
    def stored_at(self) -> str:
        return self.meta_key or self.key


REGISTRY: tuple[Parameter, ...] = (
    Parameter("utility.name", "text", "", "the utility's name on receipts and reports ('' = the config's)"),
    Parameter("terminal.id", "text", "", "this terminal's id, the prefix of its receipt numbers (set at init)",
              read_only=True, meta_key="terminal_id"),
    Parameter("currency", "text", "", "the currency the ledger sells in (set by the first tariff import)",
              read_only=True),
    Parameter("fee.reissue_card", "money", 0, "fee for reissuing a lost or damaged card"),
    Parameter("fee.enlarge_capacity", "money", 0, "fee for enlarging a meter's capacity"),
    Parameter("fee.replace_meter", "money", 0, "fee for replacing a meter"),
    Parameter("fee.cancel_meter", "money", 0, "fee for cancelling a meter"),
    Parameter("account.check_tolerance_kwh", "kwh", 100,
              "account check: bought - consumed - remaining beyond this is flagged"),
    Parameter("reading.high_consumption_factor", "count", 3,
              "a reading whose consumption is above this many times the meter's own average is flagged", lowest=1),
    Parameter("disk.warn_free_mb", "count", 256,
              "below this many MB free, each sale and `ppms check` warn (DISK_LOW), from the next start; "
              "never set: the config's [database] warn_free_mb", lowest=1),
    Parameter("sale.max_tender", "money", MAX_TENDER_DEFAULT, "the most money one sale may tender", lowest=1),
    Parameter("shift.max_difference", "money", 0,
              "a closed shift whose difference is larger than this (either way) is flagged for the supervisor"),
)
BY_KEY: dict[str, Parameter] = {p.key: p for p in REGISTRY}
assert BY_KEY[MAX_TENDER].default == MAX_TENDER_DEFAULT


def _known(key: str) -> Parameter:
    found = BY_KEY.get(key)
    if found is None:
        raise ParameterUnknown(f"no parameter {key!r}; `ppms setup param show` lists them", key=key)
    return found


def _currency(r: Repositories) -> Currency:
    code = r.meta.get("currency")
    return currency(code) if code else Currency("", 2)


def _typed(p: Parameter, stored: str | None) -> int | str:
    if stored is None:
        return p.default
    return stored if p.kind == "text" else int(stored)


def param_in(r: Repositories, key: str) -> int | str:
    """The value in force of parameter `key` (registry default when never set)."""
    p = _known(key)
    return _typed(p, r.meta.get(p.stored_at))


def is_set(r: Repositories, key: str) -> bool:
    """Whether parameter `key` was ever set in this ledger (else its registry default holds)."""
    return r.meta.get(_known(key).stored_at) is not None


def param(ctx: Context, key: str) -> int | str:
    with ctx.ledger.read() as r:
        return param_in(r, key)


def money_param(ctx: Context, key: str) -> int:
    """A money (or kWh, or count) parameter as an integer of its unit."""
    value = param(ctx, key)
    if not isinstance(value, int):
        raise ParameterInvalid(f"parameter {key} is text, not an amount", key=key)
    return value


def _shown(p: Parameter, value: int | str, cur: Currency) -> str:
    if isinstance(value, str):
        return value
    if p.kind == "money":
        return format_money(value, cur)
    return format_kwh(value) if p.kind == "kwh" else str(value)


def _parse(p: Parameter, text: str, cur: Currency) -> str:
    """The stored text of a value typed by a person; ParameterInvalid when it is not one."""
    if p.kind == "text":
        if len(text) > MAX_TEXT or not text.isprintable():
            raise ParameterInvalid(f"{p.key} is text of at most {MAX_TEXT} printable characters", key=p.key)
        return text
    try:
        if p.kind == "money":
            value = parse_money(text, cur)
        elif p.kind == "kwh":
            value = parse_kwh(text)
        elif text.isascii() and text.isdigit():
            value = int(text)
        else:
            raise InvalidArgument(f"{text!r} is not a whole number")
    except PpmsError as exc:
        raise ParameterInvalid(f"{p.key} must be {_kinds[p.kind]}: {exc.message}", key=p.key) from None
    if value < p.lowest:
        raise ParameterInvalid(f"{p.key} must be at least {_shown(p, p.lowest, cur)}", key=p.key)
    return str(value)


_kinds = {"money": "an amount of money", "kwh": "an energy in kWh", "count": "a whole number"}


def _shown_stored(key: str, stored: str | None, cur: Currency) -> str | None:
    p = BY_KEY.get(key)
    return stored if stored is None or p is None else _shown(p, _typed(p, stored), cur)


def _row(p: Parameter, r: Repositories, cur: Currency) -> dict[str, Any]:
    stored = r.meta.get(p.stored_at)
    return {"key": p.key, "kind": p.kind, "value": _shown(p, _typed(p, stored), cur),
            "default": _shown(p, p.default, cur), "set": stored is not None, "read_only": p.read_only,
            "description": p.description}


def show(ctx: Context, session: Session) -> dict[str, Any]:
    session.require(Permission.SETUP)
    with ctx.ledger.read() as r:
        cur = _currency(r)
        return {"currency": cur.code or None, "parameters": [_row(p, r, cur) for p in REGISTRY]}


def set_param(ctx: Context, session: Session, key: str, text: str) -> dict[str, Any]:
    session.require(Permission.SETUP)
    p = _known(key)
    if p.read_only:
        raise ParameterReadOnly(f"parameter {key} cannot be changed here: {p.description}", key=key)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        cur = _currency(uow)
        stored = _parse(p, text, cur)
        previous = uow.meta.get(p.stored_at)
        if previous == stored:
            return _row(p, uow, cur) | {"changed": False}
        uow.meta.put(p.stored_at, stored)
        uow.parameters.change(key, stored, previous, at, session.operator_id)
        uow.record(Fact("parameter.set", f"parameter:{key}", session.username, at,
                        before={key: previous}, after={key: stored},
                        outbox=Outgoing("parameter", f"parameter:{key}:{at}",
                                        ParameterRecord(key, stored, at, session.username, previous))))
        return _row(p, uow, cur) | {"changed": True}


def history(ctx: Context, session: Session, key: str | None = None) -> dict[str, Any]:
    session.require(Permission.SETUP)
    if key is not None:
        _known(key)
    with ctx.ledger.read() as r:
        cur = _currency(r)
        changes = r.parameters.history(key)
    out = [{"key": c.key, "value": _shown_stored(c.key, c.value, cur),
            "previous": _shown_stored(c.key, c.previous, cur), "at": c.changed_at, "operator": c.operator}
           for c in changes]
    return {"key": key, "changes": out}


def findings(r: Repositories) -> list[dict[str, Any]]:
    """`ppms check`: each changed parameter's value in force is the last one its history holds."""
    out = []
    for key, value in r.parameters.latest().items():
        p = BY_KEY.get(key)
        stored = r.meta.get(p.stored_at if p else key)
        if stored != value:
            out.append({"code": "PARAMETER_HISTORY_MISMATCH", "parameter": key,
                        "message": f"parameter {key} is {stored!r} but its last recorded change set {value!r}"})
    return out
