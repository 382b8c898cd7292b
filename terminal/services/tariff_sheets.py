"""Power types and prices as the ledger holds them: `ppms tariff list` (sub-items, blocks,
the comprehensive price each block adds up to, versions), `ppms tariff export` (the tariffs
in force as the TOML `ppms tariff import` reads: importing it again changes nothing) and the
preferential price sheet (`ppms tariff preferential show|export|import`).

"In force": each power type's version effective on the terminal's date (a power type with
only later versions: its first one); each preferential sheet's latest version.
"""
from __future__ import annotations

import json
from typing import Any

from terminal.domain.errors import TariffFileInvalid
from terminal.domain.money import currency, format_kwh, format_money, format_rate
from terminal.domain.tariff import (
    PowerTypeTariff,
    Preferential,
    TariffSheet,
    power_type_from_json,
    preferential_from_json,
)
from terminal.domain.tariff_toml import sheet_to_toml
from terminal.ledger import Repositories
from terminal.services import setup
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import NoTariff


def _in_force(r: Repositories, today: str) -> TariffSheet:
    code = r.meta.get("currency")
    if code is None:
        raise NoTariff("no tariff has been imported yet: `ppms tariff import FILE`")
    power_types: list[PowerTypeTariff] = []
    for pt_code, _ in r.tariff_book.power_types():
        versions = r.tariff_book.versions(pt_code)
        if not versions:
            continue
        current = [v for v in versions if v[1] <= today]
        chosen = max(current, key=lambda v: v[1]) if current else min(versions, key=lambda v: v[1])
        power_types.append(power_type_from_json(json.loads(chosen[3])))
    preferentials: list[Preferential] = []
    for pref_code in r.tariff_book.preferential_codes():
        latest = r.tariffs.latest_preferential(pref_code)
        assert latest is not None
        preferentials.append(preferential_from_json(json.loads(latest.data)))
    return TariffSheet(currency(code), tuple(power_types), tuple(preferentials))


def export(ctx: Context, session: Session) -> dict[str, Any]:
    session.require(Permission.SETUP)
    today = ctx.now().date().isoformat()
    with ctx.ledger.read() as r:
        sheet = _in_force(r, today)
    text = sheet_to_toml(sheet, header=f"PPMS tariffs in force on {today} (terminal {ctx.terminal_id}); "
                                       "`ppms tariff import` reads this file")
    return {"on": today, "currency": sheet.currency.code, "power_types": [p.code for p in sheet.power_types],
            "preferentials": [p.code for p in sheet.preferentials], "toml": text}


def _power_type_view(pt: PowerTypeTariff) -> dict[str, Any]:
    cur = pt.currency
    return {"code": pt.code, "name": pt.name, "effective_from": pt.effective_from.isoformat(),
            "vat_percent": format_rate(pt.vat_percent), "fixed_monthly": format_money(pt.fixed_monthly, cur),
            "debt_recovery_percent": format_rate(pt.debt_recovery_percent),
            "min_amount": format_money(pt.min_amount, cur), "max_kwh_per_sale": format_kwh(pt.max_kwh_per_sale),
            "tier_period": pt.tier_period,
            "sub_items": [{"code": s.code, "name": s.name} for s in pt.sub_items],
            "blocks": [{"block": i + 1, "up_to_kwh": None if b.up_to_kwh is None else format_kwh(b.up_to_kwh),
                        "prices": {s.code: format_rate(b.prices[s.code]) for s in pt.sub_items},
                        "comprehensive_price": format_rate(pt.comprehensive_price(i))}
                       for i, b in enumerate(pt.blocks)]}


def listed(ctx: Context, session: Session) -> dict[str, Any]:
    """Every power type with every version, oldest first; `in_force` marks today's."""
    session.require(Permission.SETUP)
    today = ctx.now().date().isoformat()
    out = []
    with ctx.ledger.read() as r:
        for code, name in r.tariff_book.power_types():
            versions = r.tariff_book.versions(code)
            current = max((v for v in versions if v[1] <= today), key=lambda v: v[1], default=None)
            out.append({"code": code, "name": name, "versions": [
                {"version": v, "imported_at": at, "in_force": current is not None and v == current[0],
                 **_power_type_view(power_type_from_json(json.loads(data)))}
                for v, _, at, data in versions]})
    return {"on": today, "power_types": out}


def _preferential_view(pref: Preferential, version: int, valid_from: str) -> dict[str, Any]:
    return {"code": pref.code, "name": pref.name, "version": version, "valid_from": valid_from,
            "power_types": list(pref.power_types), "free_kwh_per_period": format_kwh(pref.free_kwh_per_period),
            "discount_percent": {k: format_rate(v) for k, v in sorted(pref.discount_percent.items())}}


def preferential_show(ctx: Context, session: Session) -> dict[str, Any]:
    session.require(Permission.SETUP)
    with ctx.ledger.read() as r:
        rows = [r.tariffs.latest_preferential(c) for c in r.tariff_book.preferential_codes()]
    return {"preferentials": [_preferential_view(preferential_from_json(json.loads(row.data)), row.version,
                                                 row.valid_from) for row in rows if row is not None]}


def preferential_export(ctx: Context, session: Session) -> dict[str, Any]:
    """The preferential sheet alone: the `[[preferential]]` tables `preferential import` reads."""
    session.require(Permission.SETUP)
    with ctx.ledger.read() as r:
        sheet = _in_force(r, ctx.now().date().isoformat())
    text = sheet_to_toml(TariffSheet(sheet.currency, (), sheet.preferentials))
    body = text.split("\n", 2)[2] if sheet.preferentials else ""   # without the currency line
    return {"preferentials": [p.code for p in sheet.preferentials], "toml": body}


def preferential_import(ctx: Context, session: Session, text: str) -> dict[str, Any]:
    """A file of `[[preferential]]` tables only: checked against the power types in force
    (a file naming an unknown power type is refused whole) and stored as `tariff import` does."""
    session.require(Permission.SETUP)
    with ctx.ledger.read() as r:
        sheet = _in_force(r, ctx.now().date().isoformat())
    head = sheet_to_toml(TariffSheet(sheet.currency, sheet.power_types, ()))
    offset = head.count("\n")
    try:
        return setup.import_tariff(ctx, session, head + text.removeprefix("\ufeff"))
    except TariffFileInvalid as exc:
        line = exc.details.get("line")
        if isinstance(line, int) and line > offset:
            exc.details["line"] = line - offset
        raise
