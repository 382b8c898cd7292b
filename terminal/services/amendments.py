"""The amendments (the seed's six) and the amendment file.

- basic: the customer's file (name, address, phone, area, category, building, ID number).
- power type (or split): the meter's shares, in force from its next sale on.
- capacity: enlarge the meter's capacity (A); fee `fee.enlarge_capacity`.
- reissue card, replace meter, cancel meter: `amendment_credit.py` (they move credit).

Each amendment is one unit of work: its `amendment` row (append-only), the file change,
its fee posting when the parameter sets one (kind `amendment`: the payment account debited,
FEE_REVENUE credited), its diary entry and its outbox row (`sync.amendment_records`). A meter
that is cancelled or replaced is amended no more (METER_CANCELLED, METER_REPLACED). Area,
building and category, a fee's payment method and a reason are refused with
DICTIONARY_VALUE_UNKNOWN when the utility keeps that list and the value is not on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.amendment_records import AmendmentRecord
from terminal.domain.money import Currency, format_kwh, format_money
from terminal.domain.split import format_split, parse_split
from terminal.ledger import Fact, Outgoing, Repositories, UnitOfWork
from terminal.ledger.ids import new_id
from terminal.ledger.journal import PAYMENT_ACCOUNTS, Line
from terminal.ledger.repos import MeterRow
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.dictionary import coded
from terminal.services.errors import (
    InvalidArgument,
    MeterCancelled,
    MeterReplaced,
    ParameterInvalid,
    PowerTypeNotFound,
    SalePending,
)
from terminal.services.meter_state import find_meter, ledger_currency
from terminal.services.parameters import param_in
from terminal.services.registration import customer_category

FEE_REVENUE = "FEE_REVENUE"
POSTING_KIND = "amendment"
BASIC_FIELDS = ("name", "address", "phone", "area", "category", "building", "id_number")


def parameter_fee(r: Repositories, key: str) -> int:
    """A fee parameter's value in force, in minor units (the registry's default 0 when never
    set: `ppms setup param set`). The one place amendments read a parameter: `fee.reissue_card`,
    `fee.enlarge_capacity`, `fee.replace_meter`."""
    value = param_in(r, key)
    if not isinstance(value, int):
        raise ParameterInvalid(f"parameter {key} is text, not a fee", key=key)
    return value


def amendable(r: Repositories, meter_no: str) -> MeterRow:
    """The meter, refused when it is cancelled or replaced, or has a sale waiting for recovery."""
    meter = find_meter(r, meter_no)
    if meter.status == "cancelled":
        raise MeterCancelled(f"meter {meter.number} is cancelled: it is amended no more", meter=meter.number)
    if meter.status == "replaced":
        raise MeterReplaced(f"meter {meter.number} was replaced: amend its new meter", meter=meter.number)
    if r.sales.history(meter.id, "", "").pending:
        raise SalePending(f"meter {meter.number} has a sale waiting for recovery: run `ppms sale recover` first",
                          meter=meter.number)
    return meter


def check_payment(payment: str) -> str:
    if payment not in PAYMENT_ACCOUNTS:
        raise InvalidArgument(f"payment must be one of {sorted(PAYMENT_ACCOUNTS)}", key="payment")
    return payment


def coded_reason(r: Repositories, reason: str | None) -> str | None:
    """An amendment's reason: the `amendment_reason` dictionary's code where the utility keeps
    that list (DICTIONARY_VALUE_UNKNOWN), else the text as typed; None when empty."""
    text = (reason or "").strip() or None
    return coded(r, "reason", "amendment_reason", text)


@dataclass(frozen=True)
class Filed:
    """What an amendment writes to the file, beside its kind and meter."""
    kind: str
    reason: str | None = None
    fee: int = 0
    payment: str | None = None
    lines: tuple[Line, ...] = ()                  # money beside the fee (a refund), same posting
    new_meter_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    wire: dict[str, Any] | None = None            # AmendmentRecord fields beside the common ones


def _text_map(d: dict[str, Any] | None) -> tuple[tuple[str, str], ...] | None:
    if d is None:
        return None
    return tuple(sorted((k, "" if v is None else str(v)) for k, v in d.items()))


def file_amendment(ctx: Context, session: Session, uow: UnitOfWork, meter: MeterRow, cur: Currency,
                   filed: Filed) -> dict[str, Any]:
    """The amendment row, its posting (fee and any other money, one balanced posting), its
    diary entry and outbox row, in the caller's unit of work. Returns the amendment's view."""
    at = ctx.now_iso()
    uuid = new_id()
    lines = list(filed.lines)
    if filed.fee:   # the fee's payment method, where the utility keeps that list
        coded(uow, "payment", "payment_method", filed.payment or "cash")
        lines += [Line(PAYMENT_ACCOUNTS[filed.payment or "cash"], debit=filed.fee), Line(FEE_REVENUE, credit=filed.fee)]
    posting = None
    if any(ln.debit or ln.credit for ln in lines):
        posting = uow.journal.post(POSTING_KIND, lines, at, session.operator_id, customer_id=meter.customer_id,
                                   memo=f"{filed.kind} {uuid}")
    uow.amendments.insert(uuid, filed.kind, meter.id, meter.customer_id, at, session.operator_id, filed.reason,
                          filed.fee, posting, filed.new_meter_id, filed.before, filed.after)
    record = AmendmentRecord(uuid, filed.kind, meter.number, at, session.username, cur.code, filed.fee,
                             filed.payment if filed.fee else None, filed.reason, _text_map(filed.before),
                             _text_map(filed.after), **(filed.wire or {}))
    uow.record(Fact(f"amendment.{filed.kind}", f"meter:{meter.number}", session.username, at,
                    before=filed.before, after={"amendment_id": uuid, **(filed.after or {})},
                    outbox=Outgoing("amendment", uuid, record)))
    return {"amendment_id": uuid, "kind": filed.kind, "meter": meter.number, "at": at,
            "operator": session.username, "fee": format_money(filed.fee, cur),
            "payment": filed.payment if filed.fee else None, "reason": filed.reason,
            "before": filed.before, "after": None if filed.after is None else shown(filed.after, cur)}


def _clean(text: str | None, key: str, required: bool = False) -> str | None:
    if text is None:
        return None
    value = text.strip()
    if not value and required:
        raise InvalidArgument(f"the {key.replace('_', ' ')} cannot be empty", key=key)
    if len(value) > 200:
        raise InvalidArgument(f"the {key.replace('_', ' ')} is longer than 200 characters", key=key)
    return value or None


def basic(ctx: Context, session: Session, meter_no: str, **changes: str | None) -> dict[str, Any]:
    """Change the customer's file; only the fields given change."""
    session.require(Permission.AMEND_BASIC_FILE)
    unknown = set(changes) - set(BASIC_FIELDS)
    if unknown:
        raise InvalidArgument(f"no field {sorted(unknown)[0]} in the customer's file", key=sorted(unknown)[0])
    wanted = {k: _clean(v, k, required=k in ("name", "address")) for k, v in changes.items() if v is not None}
    if not wanted:
        raise InvalidArgument("say what changes: --name, --address, --phone, --area, --category, --building "
                              "or --id-number", key="changes")
    with ctx.ledger.unit_of_work() as uow:
        meter = amendable(uow, meter_no)
        cur = ledger_currency(uow)
        wanted |= {k: coded(uow, k, k, wanted[k]) for k in ("area", "building") if k in wanted}
        if "category" in wanted:
            wanted["category"] = customer_category(uow, wanted["category"], ctx.now_iso())
        file = uow.amendments.customer_file(meter.customer_id)
        before = {k: file[k] for k in wanted if file[k] != wanted[k]}
        if not before:
            raise InvalidArgument("the customer's file already says that: nothing to change", key="changes")
        after = {k: wanted[k] for k in before}
        uow.amendments.set_customer(meter.customer_id, after)
        return file_amendment(ctx, session, uow, meter, cur, Filed("basic_file", before=before, after=after))


def power_type(ctx: Context, session: Session, meter_no: str, split_text: str) -> dict[str, Any]:
    """The meter's power type or split, for its next sale on (sales already made keep theirs)."""
    session.require(Permission.AMEND_POWER_TYPE)
    split = parse_split(split_text)   # SHARE_SPLIT_INVALID
    with ctx.ledger.unit_of_work() as uow:
        meter = amendable(uow, meter_no)
        cur = ledger_currency(uow)
        for code, _ in split:
            if not uow.tariffs.power_type_exists(code):
                raise PowerTypeNotFound(f"no power type {code}: import a tariff that defines it", power_type=code)
        old = tuple(uow.meters.shares(meter.id))
        if old == split:
            raise InvalidArgument(f"meter {meter.number} is already {format_split(split)}", key="power_type")
        uow.amendments.set_shares(meter.id, list(split))
        return file_amendment(ctx, session, uow, meter, cur, Filed(
            "power_type", before={"power_type": format_split(old)}, after={"power_type": format_split(split)}))


def capacity(ctx: Context, session: Session, meter_no: str, capacity_a: int, payment: str = "cash") -> dict[str, Any]:
    """Enlarge the meter's capacity (whole A); the fee `fee.enlarge_capacity` is taken."""
    session.require(Permission.AMEND_CAPACITY)
    check_payment(payment)
    if capacity_a <= 0 or capacity_a > 10_000:
        raise InvalidArgument("the capacity is whole amperes from 1 to 10000", key="capacity_a")
    with ctx.ledger.unit_of_work() as uow:
        meter = amendable(uow, meter_no)
        cur = ledger_currency(uow)
        old = uow.amendments.meter_file(meter.id)["capacity_a"]
        if old is not None and capacity_a <= old:
            raise InvalidArgument(f"meter {meter.number} is already {old} A: an enlargement must be above it",
                                  key="capacity_a")
        uow.amendments.set_capacity(meter.id, capacity_a)
        return file_amendment(ctx, session, uow, meter, cur, Filed(
            "capacity", fee=parameter_fee(uow, "fee.enlarge_capacity"), payment=payment,
            before={"capacity_a": old}, after={"capacity_a": capacity_a}))


def listed(ctx: Context, session: Session, meter_no: str | None = None) -> dict[str, Any]:
    """The amendment file (of one meter, as old or new meter, when given), oldest first."""
    session.require(Permission.SEARCH)
    with ctx.ledger.read() as r:
        meter = None if meter_no is None else find_meter(r, meter_no)
        rows = r.amendments.listed(None if meter is None else meter.id)
        cur = ledger_currency(r) if rows else Currency("", 2)
    items = []
    for a in rows:
        item: dict[str, Any] = {"amendment_id": a.uuid, "kind": a.kind, "meter": a.meter, "at": a.at,
                                "operator": a.operator, "reason": a.reason, "fee": format_money(a.fee, cur),
                                "before": a.before, "after": None if a.after is None else shown(a.after, cur)}
        if a.new_meter:
            item["new_meter"] = a.new_meter
        item |= {k: v for k, v in (item["after"] or {}).items() if k in MONEY_KEYS or k in ENERGY_KEYS}
        items.append(item)
    return {"meter": None if meter is None else meter.number, "total": len(items), "items": items}


MONEY_KEYS = ("credit_value", "carry_over", "arrears_settled", "refund", "arrears_left")
ENERGY_KEYS = ("final_reading_kwh", "remaining_kwh", "credit_transferred_kwh")


def shown(after: dict[str, Any], cur: Currency) -> dict[str, Any]:
    """An amendment's stored `after` for people and scripts: money and energy (integers in the
    ledger) as the JSON's decimal strings; the transfer's `credit_kwh` as `credit_transferred_kwh`."""
    out: dict[str, Any] = {}
    for k, v in after.items():
        if k == "credit_kwh":
            out["credit_transferred_kwh"] = format_kwh(int(v))
        elif k in MONEY_KEYS and v is not None:
            out[k] = format_money(int(v), cur)
        elif k in ENERGY_KEYS and v is not None:
            out[k] = format_kwh(int(v))
        else:
            out[k] = v
    return out
