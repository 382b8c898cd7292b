"""The JSON views of cli.md, derived from the wire records (never the other way round).

`view(record)` gives exactly the object the terminal printed and queued before the
records existed: money as decimal text with the currency's decimals, energy with two
decimals. `record_from_view(kind, payload)` reads such an object back into its record
(the outbox rows written before the records, and the check that the two agree).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sync.amendment_records import AmendmentRecord, amendment_view
from sync.device_records import (
    CardOrder,
    CardRecord,
    ReadingRecord,
    StsKeyChangeRecord,
    StsTokenRecord,
)
from sync.errors import WireRecordInvalid
from sync.fields import Where
from sync.office_views import (
    OFFICE_RECORDS,
    customer_more_of,
    customer_more_view,
    installation_from_view,
    installation_view,
    meter_more_of,
    meter_more_view,
    office_view,
)
from sync.payment_records import PaymentAppliedRecord
from sync.records import (
    CashHeldRecord,
    CustomerFile,
    DebtRecord,
    MeterFile,
    RegistrationRecord,
    ReversalRecord,
    SaleRecord,
    SaleRewriteRecord,
    Share,
    StsSettings,
)
from sync.tariff_records import (
    BlockPrices,
    PowerTypeSheet,
    PreferentialSheet,
    SubItemName,
    TariffRecord,
)
from terminal.domain.errors import PpmsError
from terminal.domain.money import (
    RATE_DECIMALS,
    Currency,
    currency,
    format_kwh,
    format_money,
    format_rate,
    parse_kwh,
    parse_money,
    parse_rate,
)
from terminal.domain.tariff import JSON_VERSION, TariffSheet, power_type_to_json, preferential_to_json

RATE_SCALE = 10 ** RATE_DECIMALS
_STS_KEYS = (("sgc", "sgc"), ("ti", "ti"), ("krn", "krn"), ("key_type", "key_type"), ("ea", "ea"),
             ("dkga", "dkga"), ("base_date", "base_date"), ("ken", "ken"), ("iin", "iin"))


def rate_units(rate: Fraction) -> int:
    """A price or percentage as the record's integer count of 0.0001 (format_rate refuses
    one that is not a whole number of them)."""
    format_rate(rate)
    return int(rate * RATE_SCALE)


def _rate(units: int) -> str:
    return format_rate(Fraction(units, RATE_SCALE))


def _money(minor: int, cur: Currency) -> str:
    return format_money(minor, cur)


# -- views ----------------------------------------------------------------------------------
def _lines_view(rec: SaleRecord, cur: Currency) -> list[dict[str, Any]]:
    """cli.md's lines, in the vend calculation's order."""
    def plain(kind: str, amount: int) -> dict[str, Any]:
        return {"kind": kind, "amount": _money(amount, cur)}
    out = [plain("fixed", rec.fixed), plain("debt", rec.debt)]
    out += [{"kind": "energy", "power_type": e.power_type, "block": e.block, "sub_item": e.sub_item,
             "kwh": format_kwh(e.kwh), "amount": _money(e.amount, cur)} for e in rec.energy]
    if rec.free_kwh:
        out.append({"kind": "free", "power_type": rec.power_type, "kwh": format_kwh(rec.free_kwh),
                    "amount": _money(0, cur)})
    return out + [plain("vat", rec.vat), plain("carry_over", rec.change_carried)]


def sale_view(rec: SaleRecord, status: str = "completed") -> dict[str, Any]:
    """cli.md's sale object (as `sell` prints it and `sale show` shows it)."""
    cur = currency(rec.currency)
    versions = dict(rec.tariff_versions)
    out: dict[str, Any] = {
        "sale_id": rec.sale_id, "receipt_no": rec.receipt_no, "meter": rec.meter,
        "tendered": _money(rec.tendered, cur), "carry_over_used": _money(rec.carry_over_used, cur),
        "kwh": format_kwh(rec.kwh), "free_kwh": format_kwh(rec.free_kwh), "credit_kwh": format_kwh(rec.credit_kwh),
        "change_carried": _money(rec.change_carried, cur),
        "tariff_version": versions.get(rec.power_type), "tariff_versions": versions, "status": status,
        "currency": rec.currency, "months_charged": rec.months_charged, "sold_at": rec.sold_at,
        "payment": rec.payment, "operator": rec.operator, "carrier": rec.carrier,
        "lines": _lines_view(rec, cur),
    }
    if rec.token is not None:
        out["token"] = rec.token
    return out


def _sts_view(s: StsSettings | None) -> dict[str, Any]:
    return {} if s is None else {name: getattr(s, attr) for attr, name in _STS_KEYS}


def _registration_view(rec: RegistrationRecord) -> dict[str, Any]:
    c, m = rec.customer, rec.meter
    return {
        "customer": {"customer_id": c.customer_id, "account_no": c.account_no, "name": c.name, "address": c.address,
                     "phone": c.phone, "category": c.category, "area": c.area, "registered_at": c.registered_at,
                     **customer_more_view(rec.customer_more)},
        "meter": {"meter_id": m.meter_id, "number": m.number, "carrier": m.carrier, "status": m.status,
                  "power_types": [{"code": s.power_type, "percent": s.percent} for s in m.power_types],
                  "installed_at": m.installed_at, **({"sts": _sts_view(m.sts)} if m.sts else {}),
                  **meter_more_view(rec.meter_more)},
        "installation": installation_view(rec.installation),
    }


def _card_view(rec: CardRecord) -> dict[str, Any]:
    if rec.event == "made":
        out: dict[str, Any] = {"card_serial": rec.card_serial, "type": rec.type, "meter": rec.meter,
                               "made_at": rec.made_at}
        if rec.order is not None:
            o = rec.order
            out["order"] = {k: v for k, v in (("sequence", o.sequence), ("max_power_w", o.max_power_w),
                                              ("alarm_level", o.alarm_level),
                                              ("clear", None if o.clear is None else list(o.clear)))
                            if v is not None}
        return out | {"status": rec.status}
    if rec.event == "formatted":
        return {"card_serial": rec.card_serial, "status": rec.status, "was": rec.was}
    return {"card_serial": rec.card_serial, "status": rec.status, "reason": rec.reason, "meter": rec.meter}


def _reading_view(rec: ReadingRecord) -> dict[str, Any]:
    if rec.source == "card":
        return {"reading_id": rec.reading_id, "meter": rec.meter, "source": "card", "read_at": rec.read_at,
                "total_kwh": format_kwh(rec.total_kwh), "remaining_kwh": format_kwh(rec.remaining_kwh or 0),
                "purchase_count": rec.purchase_count, "status_flags": list(rec.status_flags or ()),
                "card": rec.card}
    cur = currency(rec.currency) if rec.currency else Currency("", 2)
    return {"reading_id": rec.reading_id, "address": rec.address, "meter": rec.meter, "recorded": True,
            "source": rec.source, "read_at": rec.read_at, "total_kwh": format_kwh(rec.total_kwh),
            "remaining_kwh": None if rec.remaining_kwh is None else format_kwh(rec.remaining_kwh),
            "remaining_money": None if rec.remaining_money is None else _money(rec.remaining_money, cur),
            "purchase_count": rec.purchase_count, "status": None if rec.status is None else dict(rec.status)}


def _tariff_view(rec: TariffRecord) -> dict[str, Any]:
    return {
        "currency": rec.currency,
        "power_types": [{
            "v": JSON_VERSION, "code": p.code, "name": p.name, "currency": p.currency,
            "effective_from": p.effective_from, "vat_percent": _rate(p.vat_percent),
            "fixed_monthly": p.fixed_monthly, "debt_recovery_percent": _rate(p.debt_recovery_percent),
            "min_amount": p.min_amount, "max_kwh_per_sale": p.max_kwh_per_sale, "tier_period": p.tier_period,
            "sub_items": [{"code": s.code, "name": s.name} for s in p.sub_items],
            "blocks": [{"up_to_kwh": b.up_to_kwh, "prices": {k: _rate(v) for k, v in b.prices}} for b in p.blocks],
        } for p in rec.power_types],
        "preferentials": [{
            "v": JSON_VERSION, "code": p.code, "name": p.name, "power_types": list(p.power_types),
            "free_kwh_per_period": p.free_kwh_per_period,
            "discount_percent": {k: _rate(v) for k, v in p.discount_percent},
        } for p in rec.preferentials],
    }


def view(record: Any) -> dict[str, Any]:
    """The JSON object of cli.md (and of today's outbox payload) for any wire record."""
    if isinstance(record, SaleRecord):
        return sale_view(record)
    if isinstance(record, ReversalRecord):
        return sale_view(record.sale, "reversed") | {"reason": record.reason}
    if isinstance(record, RegistrationRecord):
        return _registration_view(record)
    if isinstance(record, DebtRecord):
        cur = currency(record.currency)
        return {"debt_id": record.debt_id, "meter": record.meter, "amount": _money(record.amount, cur),
                "arrears": _money(record.arrears, cur), "reason": record.reason, "at": record.at}
    if isinstance(record, CashHeldRecord):
        about = {k: getattr(record, k) for k in ("sale_id", "receipt_no", "meter", "intake_id", "code")}
        return {"cash_held_id": record.cash_held_id, "amount": record.amount,
                "carry_over_before": record.carry_over_before, "carry_over": record.carry_over,
                "reason": record.reason, "at": record.at} | {k: v for k, v in about.items() if v is not None}
    if isinstance(record, CardRecord):
        return _card_view(record)
    if isinstance(record, ReadingRecord):
        return _reading_view(record)
    if isinstance(record, SaleRewriteRecord):
        return {"sale_id": record.sale_id, "receipt_no": record.receipt_no, "meter": record.meter,
                "sequence": record.sequence, "credit_kwh": format_kwh(record.credit_kwh),
                "card_serial": record.card_serial, "rewritten_at": record.rewritten_at}
    if isinstance(record, StsTokenRecord):
        return {"token_id": record.token_id, "meter": record.meter, "kind": record.kind, "value": record.value,
                "token": record.token, "tid": record.tid, "class": record.token_class, "subclass": record.subclass}
    if isinstance(record, StsKeyChangeRecord):
        return {"key_change_id": record.key_change_id, "meter": record.meter, "old": _sts_view(record.old),
                "new": _sts_view(record.new), "tokens": list(record.tokens)}
    if isinstance(record, TariffRecord):
        return _tariff_view(record)
    if isinstance(record, OFFICE_RECORDS):
        return office_view(record)
    if isinstance(record, AmendmentRecord):
        return amendment_view(record)
    if isinstance(record, PaymentAppliedRecord):
        return {"payment_id": record.payment_id, "reference": record.reference, "sale_id": record.sale_id,
                "receipt_no": record.receipt_no, "meter": record.meter,
                "amount": _money(record.amount, currency(record.currency)), "applied_at": record.at}
    raise WireRecordInvalid(f"{type(record).__name__} is not a wire record", kind=None, field=None,
                            reason="not a record")


# -- records from the views -----------------------------------------------------------------
def tariff_record(sheet: TariffSheet) -> TariffRecord:
    """The record of an imported tariff sheet (what `ppms tariff import` queues)."""
    return _tariff_from_view({"currency": sheet.currency.code,
                              "power_types": [power_type_to_json(p) for p in sheet.power_types],
                              "preferentials": [preferential_to_json(p) for p in sheet.preferentials]})


def _units(text: str) -> int:
    return rate_units(parse_rate(text))


def _tariff_from_view(d: dict[str, Any]) -> TariffRecord:
    return TariffRecord(d["currency"], tuple(PowerTypeSheet(
        p["code"], p["name"], p["currency"], p["effective_from"], _units(p["vat_percent"]), p["fixed_monthly"],
        _units(p["debt_recovery_percent"]), p["min_amount"], p["max_kwh_per_sale"], p["tier_period"],
        tuple(SubItemName(s["code"], s["name"]) for s in p["sub_items"]),
        tuple(BlockPrices(tuple(sorted((k, _units(v)) for k, v in b["prices"].items())), b["up_to_kwh"])
              for b in p["blocks"])) for p in d["power_types"]),
        tuple(PreferentialSheet(p["code"], p["name"], tuple(p["power_types"]), p["free_kwh_per_period"],
                                tuple(sorted((k, _units(v)) for k, v in p["discount_percent"].items())))
              for p in d["preferentials"]))


def _sts(d: dict[str, Any] | None) -> StsSettings | None:
    return None if not d else StsSettings(**{attr: d[name] for attr, name in _STS_KEYS})


@dataclass(frozen=True)
class _ViewLine:
    kind: str
    amount: int
    power_type: str | None
    block: int | None
    sub_item: str | None
    kwh: int | None


def _sale_from_view(d: dict[str, Any]) -> SaleRecord:
    cur = currency(d["currency"])
    versions: dict[str, int] = d["tariff_versions"]
    lines = [_ViewLine(ln["kind"], parse_money(ln["amount"], cur), ln.get("power_type"), ln.get("block"),
                       ln.get("sub_item"), parse_kwh(ln["kwh"]) if "kwh" in ln else None) for ln in d["lines"]]
    return SaleRecord.build(
        sale_id=d["sale_id"], receipt_no=d["receipt_no"], meter=d["meter"], currency=d["currency"],
        tendered=parse_money(d["tendered"], cur), carry_over_used=parse_money(d["carry_over_used"], cur),
        kwh=parse_kwh(d["kwh"]), free_kwh=parse_kwh(d["free_kwh"]), credit_kwh=parse_kwh(d["credit_kwh"]),
        change_carried=parse_money(d["change_carried"], cur), power_type=_primary(d, versions),
        tariff_versions=versions, months_charged=d["months_charged"], sold_at=d["sold_at"], payment=d["payment"],
        operator=d["operator"], carrier=d["carrier"], lines=lines, token=d.get("token"))


def _primary(d: dict[str, Any], versions: dict[str, int]) -> str:
    """The primary power type of a payload: the free line's, else the first power type of
    the sale whose version is the sale's tariff_version (that is all the view needs)."""
    for ln in d["lines"]:
        if ln["kind"] == "free":
            return str(ln["power_type"])
    candidates = [code for code, v in versions.items() if v == d["tariff_version"]]
    for ln in d["lines"]:
        if ln.get("power_type") in candidates:
            return str(ln["power_type"])
    return candidates[0]


def _card_from_view(d: dict[str, Any]) -> CardRecord:
    if "made_at" in d:
        o = d.get("order")
        order = None if o is None else CardOrder(o["sequence"], o.get("max_power_w"), o.get("alarm_level"),
                                                 None if "clear" not in o else tuple(o["clear"]))
        return CardRecord("made", d["status"], d["card_serial"], d["type"], d["meter"], d["made_at"], order)
    if d["status"] == "formatted":
        return CardRecord("formatted", "formatted", d["card_serial"], was=d["was"])
    event = "blacklisted" if d["status"] == "blacklisted" else "unblacklisted"
    return CardRecord(event, d["status"], d["card_serial"], meter=d["meter"], reason=d["reason"])


def _reading_from_view(d: dict[str, Any], cur: str | None) -> ReadingRecord:
    kwh = parse_kwh
    if d["source"] == "card":
        return ReadingRecord(d["reading_id"], "card", d["meter"], d["read_at"], kwh(d["total_kwh"]),
                             kwh(d["remaining_kwh"]), d["purchase_count"], tuple(d["status_flags"]), d["card"])
    money = d["remaining_money"]
    cur_of = currency(cur) if cur else Currency("", 2)
    return ReadingRecord(d["reading_id"], d["source"], d["meter"], d["read_at"], kwh(d["total_kwh"]),
                         None if d["remaining_kwh"] is None else kwh(d["remaining_kwh"]), d["purchase_count"],
                         address=d["address"], currency=cur if money is not None else None,
                         remaining_money=None if money is None else parse_money(money, cur_of),
                         status=None if d["status"] is None else tuple(sorted(d["status"].items())))


def record_from_view(kind: str, d: dict[str, Any], currency_code: str | None = None) -> Any:
    """The record of one of today's outbox payloads (``currency_code``: the ledger's, which a
    DL/T 645 reading's remaining money is in). A payload that does not fit is refused
    with WireRecordInvalid; the record is not checked here (encode checks it)."""
    try:
        return _from_view(kind, d, currency_code)
    except WireRecordInvalid:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, PpmsError) as exc:   # PpmsError: money, kWh
        raise Where(kind).fail(f"does not fit today's {kind} payload ({type(exc).__name__}: {exc})") from None


def _from_view(kind: str, d: dict[str, Any], cur: str | None) -> Any:
    if kind == "sale":
        return _sale_from_view(d)
    if kind == "reversal":
        return ReversalRecord(_sale_from_view(d), d["reason"])
    if kind == "registration":
        c, m = d["customer"], d["meter"]
        return RegistrationRecord(
            CustomerFile(c["customer_id"], c["account_no"], c["name"], c["address"], c["registered_at"], c["phone"],
                         c["category"], c["area"]),
            MeterFile(m["meter_id"], m["number"], m["carrier"], m["status"],
                      tuple(Share(s["code"], s["percent"]) for s in m["power_types"]), m["installed_at"],
                      _sts(m.get("sts"))),
            customer_more_of(c), meter_more_of(m), installation_from_view(d.get("installation")))
    if kind == "debt":
        money = currency(str(cur))
        return DebtRecord(d["debt_id"], d["meter"], money.code, parse_money(d["amount"], money),
                          _signed_money(d["arrears"], money), d["reason"], d["at"])
    if kind == "cash_held":
        return CashHeldRecord(d["cash_held_id"], d["amount"], d["carry_over_before"], d["carry_over"], d["reason"],
                              d["at"], d.get("sale_id"), d.get("receipt_no"), d.get("meter"), d.get("intake_id"),
                              d.get("code"))
    if kind == "card":
        return _card_from_view(d)
    if kind == "reading":
        return _reading_from_view(d, cur)
    if kind == "sale_rewrite":
        return SaleRewriteRecord(d["sale_id"], d["receipt_no"], d["meter"], d["sequence"], parse_kwh(d["credit_kwh"]),
                                 d["rewritten_at"], d["card_serial"])
    if kind == "sts_token":
        return StsTokenRecord(d["token_id"], d["meter"], d["kind"], d["value"], d["token"], d["tid"], d["class"],
                              d["subclass"])
    if kind == "sts_key_change":
        return StsKeyChangeRecord(d["key_change_id"], d["meter"], _sts(d["new"]),  # type: ignore[arg-type]
                                  tuple(d["tokens"]), _sts(d["old"]))
    if kind == "tariff":
        return _tariff_from_view(d)
    raise Where(kind).fail("is not an outbox kind")


def _signed_money(text: str, cur: Currency) -> int:
    return -parse_money(text[1:], cur) if text.startswith("-") else parse_money(text, cur)
