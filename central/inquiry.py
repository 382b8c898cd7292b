"""The dashboard's searches across every terminal, and a meter's page.

Searches (one page, newest first, with how many rows match), with the terminal search's
filters (terminal/services/search.py: from/to on the file's own time, operator, area,
power type, meter, customer-name prefix) and the terminal a row came from:

    customers   the registered customers (name, account, area, category)   area power_type meter name terminal
    meters      the registered meters (carrier, status, power type)        area power_type meter name terminal
    sales       every sale and reversal item                               all
    tokens      the sales that carried an STS token                        all
    payments    the bank payments received (their status, token)           meter

A filter a search does not know is refused (BAD_REQUEST), never ignored.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Final

from peewee import JOIN

from central.errors import BadRequest, NotFound
from central.models import Item, MeterCustomer, MeterFile, MeterItem, Payment, Sale, SaleNote
from central.reports import center_currency
from sync import schema, views
from sync.errors import WireRecordInvalid
from terminal.domain.money import currency, format_kwh, format_money

KINDS: Final = ("customers", "meters", "sales", "tokens", "payments")
FILTERS: Final = ("from", "to", "operator", "area", "power_type", "meter", "name", "terminal")
SUPPORTED: Final[dict[str, frozenset[str]]] = {
    "customers": frozenset({"from", "to", "area", "power_type", "meter", "name", "terminal"}),
    "meters": frozenset({"from", "to", "area", "power_type", "meter", "name", "terminal"}),
    "sales": frozenset(FILTERS), "tokens": frozenset(FILTERS),
    "payments": frozenset({"from", "to", "meter"}),
}
PAGE_SIZE: Final = 50
METER_ROWS: Final = 500


def _bounds(filters: dict[str, str]) -> tuple[str | None, str | None]:
    from datetime import date, timedelta
    out: list[str | None] = []
    for name, later in (("from", 0), ("to", 1)):
        text = filters.get(name)
        if not text:
            out.append(None)
            continue
        try:
            out.append((date.fromisoformat(text) + timedelta(days=later)).isoformat())
        except ValueError:
            raise BadRequest(f"{name} must be a day YYYY-MM-DD", field=name) from None
    return out[0], out[1]


def search(kind: str, filters: dict[str, str], page: int = 1) -> dict[str, Any]:
    if kind not in KINDS:
        raise BadRequest(f"no search {kind!r}: one of {', '.join(KINDS)}", field="kind")
    given = {k: v.strip() for k, v in filters.items() if k in FILTERS and v and v.strip()}
    for key in given:
        if key not in SUPPORTED[kind]:
            raise BadRequest(f"search {kind} has no {key.replace('_', '-')} filter", field=key)
    if page < 1 or page > 10_000:
        raise BadRequest("page is from 1 to 10000", field="page")
    lo, hi = _bounds(given)
    cur = currency(center_currency())
    if kind in ("customers", "meters"):
        q = _customers(MeterCustomer.select(), given)
        q = q.where(MeterCustomer.registered_at >= lo) if lo else q
        q = q.where(MeterCustomer.registered_at < hi) if hi else q
        rows = [_customer(c) for c in q.order_by(MeterCustomer.registered_at.desc(), MeterCustomer.number)
                .paginate(page, PAGE_SIZE)]
    elif kind == "payments":
        q = Payment.select()
        q = q.where(Payment.meter == given["meter"]) if "meter" in given else q
        q = q.where(Payment.paid_at >= lo) if lo else q
        q = q.where(Payment.paid_at < hi) if hi else q
        rows = [{"reference": p.reference, "gateway": p.gateway, "meter": p.meter,
                 "amount": format_money(p.amount, cur), "paid_at": p.paid_at, "status": p.status,
                 "token": p.token} for p in q.order_by(Payment.paid_at.desc()).paginate(page, PAGE_SIZE)]
    else:
        q = _sales(given, lo, hi, tokens=kind == "tokens")
        rows = [_sale(s, cur) for s in q.order_by(Sale.at.desc(), Sale.item.desc()).paginate(page, PAGE_SIZE)]
    return {"search": kind, "total": q.count(), "page": page, "page_size": PAGE_SIZE, "items": rows,
            "filters": given}


def waiting_payments(limit: int = 200) -> list[dict[str, Any]]:
    """The bank payments for a card meter that no terminal has applied yet, oldest first."""
    cur = currency(center_currency())
    return [{"reference": p.reference, "meter": p.meter, "amount": format_money(p.amount, cur), "paid_at": p.paid_at}
            for p in Payment.select().where(Payment.status == "waiting").order_by(Payment.created_at).limit(limit)]


def _customers(q: Any, given: dict[str, str]) -> Any:
    if "name" in given:
        q = q.where(MeterCustomer.name.startswith(given["name"]))
    for key, column in (("area", MeterCustomer.area), ("power_type", MeterCustomer.power_type),
                        ("meter", MeterCustomer.number), ("terminal", MeterCustomer.terminal)):
        if key in given:
            q = q.where(column == given[key])
    return q


def _sales(given: dict[str, str], lo: str | None, hi: str | None, tokens: bool) -> Any:
    q = Sale.select(Sale, SaleNote).join(SaleNote, JOIN.LEFT_OUTER, on=SaleNote.item == Sale.item)
    if tokens:
        q = q.where(SaleNote.token.is_null(False))
    for key, column in (("meter", Sale.meter), ("terminal", Sale.terminal), ("operator", SaleNote.operator),
                        ("power_type", SaleNote.power_type)):
        if key in given:
            q = q.where(column == given[key])
    if "area" in given or "name" in given:
        meters = _customers(MeterCustomer.select(MeterCustomer.number),
                            {k: v for k, v in given.items() if k in ("area", "name")})   # the customer's
        q = q.where(Sale.meter << meters)
    q = q.where(Sale.at >= lo) if lo else q
    return q.where(Sale.at < hi) if hi else q


def _customer(c: MeterCustomer) -> dict[str, Any]:
    return {"meter": c.number, "name": c.name, "account_no": c.account_no, "area": c.area,
            "category": c.category, "power_type": c.power_type, "carrier": c.carrier, "status": c.status,
            "registered_at": c.registered_at, "terminal": c.terminal}


def _sale(s: Any, cur: Any) -> dict[str, Any]:
    note = getattr(s, "salenote", None)
    return {"at": s.at, "kind": s.kind, "terminal": s.terminal, "meter": s.meter,
            "receipt_no": getattr(note, "receipt_no", None), "operator": getattr(note, "operator", None),
            "power_type": getattr(note, "power_type", None), "payment": s.payment,
            "tendered": format_money(s.tendered, cur), "kwh": format_kwh(s.kwh), "token": getattr(note, "token", None)}


def meter_page(number: str) -> dict[str, Any]:
    """A meter's customer, every sale from every terminal, its readings, amendments, other items
    (debts, tokens, installation: each as its cli.md view) and its account's figures as the
    center holds them."""
    customer = MeterCustomer.get_or_none(MeterCustomer.number == number)
    known = MeterFile.get_or_none(MeterFile.number == number)
    if customer is None and known is None and not Sale.select().where(Sale.meter == number).exists():
        raise NotFound(f"no meter {number!r} at the center", meter=number)
    cur = currency(center_currency())
    sales = [_sale(s, cur) for s in _sales({"meter": number}, None, None, tokens=False)
             .order_by(Sale.at.desc(), Sale.item.desc()).limit(METER_ROWS)]
    items: dict[str, list[dict[str, Any]]] = {}
    found: Any = (Item.select(Item, MeterItem.kind).join(MeterItem, on=MeterItem.item == Item.id)
                  .where((MeterItem.meter == number) & ~(MeterItem.kind << ("sale", "reversal", "registration")))
                  .order_by(MeterItem.at.desc()).limit(METER_ROWS))
    for it in found:
        shown = {k: v for k, v in _view(schema.decode(it.kind, it.payload)).items()
                 if v is not None and k != "meter" and not k.endswith("_id")}
        items.setdefault(it.kind, []).append({"at": it.created_at, "terminal": it.terminal, "seq": it.seq,
                                              "record": shown})
    account = _account(number, cur)
    waiting = [{"reference": p.reference, "amount": format_money(p.amount, cur), "paid_at": p.paid_at,
                "status": p.status} for p in Payment.select().where(Payment.meter == number)
               .order_by(Payment.paid_at.desc()).limit(METER_ROWS)]
    return {"meter": number, "customer": None if customer is None else _customer(customer),
            "carrier": known.carrier if known else (customer.carrier if customer else None),
            "sales": sales, "readings": items.pop("meter_reading", []), "amendments": items.pop("amendment", []),
            "other": items, "account": account, "payments": waiting}


def _view(record: Any) -> dict[str, Any]:
    """A record by its fields' names: cli.md's view where sync.views has one, else its fields
    (energy in kWh)."""
    try:
        return views.view(record)
    except WireRecordInvalid:
        return {f.name: format_kwh(v) if f.name.endswith("_kwh") and isinstance(v, int) else v
                for f in dataclasses.fields(record) if (v := getattr(record, f.name)) is not None}


def _account(number: str, cur: Any) -> dict[str, Any]:
    from peewee import fn
    rows: Any = (Sale.select(Sale.kind, fn.COUNT(Sale.item), fn.SUM(Sale.tendered), fn.SUM(Sale.kwh + Sale.free_kwh),
                             fn.MAX(Sale.at)).where(Sale.meter == number).group_by(Sale.kind).tuples())
    got = {k: (int(n), int(t or 0), int(e or 0), last) for k, n, t, e, last in rows}
    sold, back = got.get("sale", (0, 0, 0, None)), got.get("reversal", (0, 0, 0, None))
    return {"sales": sold[0], "tendered": format_money(sold[1], cur), "reversals": back[0],
            "reversed": format_money(back[1], cur), "net": format_money(sold[1] - back[1], cur),
            "credit_kwh": format_kwh(sold[2] - back[2]), "last_sale": sold[3]}
