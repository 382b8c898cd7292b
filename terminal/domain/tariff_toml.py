"""The tariff file written back: a `TariffSheet` as the TOML text `parse_tariff` reads
(selling.md's format), so that `parse_tariff(sheet_to_toml(s)) == s` for every sheet
`parse_tariff` can give. Money with the currency's decimals, kWh with two, prices and
percentages in their shortest exact form."""
from __future__ import annotations

from terminal.domain.money import format_kwh, format_money, format_rate
from terminal.domain.tariff import PowerTypeTariff, Preferential, TariffSheet


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _table(prices: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{k} = {toml_string(v)}" for k, v in prices.items()) + " }" if prices else "{}"


def _power_type(pt: PowerTypeTariff) -> list[str]:
    cur = pt.currency
    lines = ["[[power_type]]",
             f"code = {toml_string(pt.code)}",
             f"name = {toml_string(pt.name)}",
             f"effective_from = {toml_string(pt.effective_from.isoformat())}",
             f"vat_percent = {toml_string(format_rate(pt.vat_percent))}",
             f"fixed_monthly = {toml_string(format_money(pt.fixed_monthly, cur))}",
             f"debt_recovery_percent = {toml_string(format_rate(pt.debt_recovery_percent))}",
             f"min_amount = {toml_string(format_money(pt.min_amount, cur))}",
             f"max_kwh_per_sale = {toml_string(format_kwh(pt.max_kwh_per_sale))}",
             f"tier_period = {toml_string(pt.tier_period)}", ""]
    for sub in pt.sub_items:
        lines += ["[[power_type.sub_item]]", f"code = {toml_string(sub.code)}", f"name = {toml_string(sub.name)}"]
    lines.append("")
    for i, block in enumerate(pt.blocks):
        comprehensive = format_rate(pt.comprehensive_price(i))
        lines.append(f"[[power_type.block]]    # comprehensive price {comprehensive} per kWh")
        if block.up_to_kwh is not None:
            lines.append(f"up_to_kwh = {toml_string(format_kwh(block.up_to_kwh))}")
        lines.append(f"price = {_table({s.code: format_rate(block.prices[s.code]) for s in pt.sub_items})}")
    lines.append("")
    return lines


def _preferential(pref: Preferential) -> list[str]:
    return ["[[preferential]]",
            f"code = {toml_string(pref.code)}",
            f"name = {toml_string(pref.name)}",
            "power_types = [" + ", ".join(toml_string(c) for c in pref.power_types) + "]",
            f"free_kwh_per_period = {toml_string(format_kwh(pref.free_kwh_per_period))}",
            "discount_percent = " + _table({k: format_rate(v) for k, v in sorted(pref.discount_percent.items())}),
            ""]


def sheet_to_toml(sheet: TariffSheet, header: str = "") -> str:
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f"currency = {toml_string(sheet.currency.code)}", ""]
    for pt in sheet.power_types:
        lines += _power_type(pt)
    for pref in sheet.preferentials:
        lines += _preferential(pref)
    return "\n".join(lines).rstrip("\n") + "\n"
