"""The text every `ppms` command prints without `--json`: one renderer for every result.

    a string             printed as it is (the daily report, a meter reading)
    a sale or a quote    a receipt summary: customer, meter, date, operator, payment,
                         receipt number, the lines with aligned amounts, the totals, and
                         whether its receipt printed or waits in the queue
    any other object     aligned `Label: value` lines; a nested object indented under its
                         label; a list of objects as a table; an empty list as "none"

With `--json` the same result is printed as one JSON object instead (terminal.cli).
"""
from __future__ import annotations

import json
import re
from typing import Any

WIDTH = 48
_WORDS = {"kwh": "kWh", "id": "ID", "sts": "STS", "vat": "VAT", "tid": "TID", "no": "no", "ok": "OK",
          "pan": "PAN", "sgc": "SGC", "krn": "KRN", "ti": "TI", "ken": "KEN", "qr": "QR",
          "a": "(A)"}   # capacity_a: Capacity (A)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_LINE_LABELS = {"fixed": "Fixed charge", "debt": "Debt recovery", "vat": "VAT",
                "carry_over": "Carried to next purchase", "free": "Free energy"}


def render(result: Any) -> str:
    """The text of a command's result (no trailing newline)."""
    if isinstance(result, str):
        return result.rstrip("\n")
    if is_sale(result):
        return sale_text(result)
    if isinstance(result, dict):
        return "\n".join(_block(result, 0))
    if isinstance(result, list):
        return "\n".join(_list(result, 0)) or "none"
    return _scalar(result)


def label(key: str) -> str:
    words = key.replace("-", "_").split("_")
    words = [w for w in words if w]
    if not words:
        return key
    first = _WORDS.get(words[0], words[0].capitalize())
    return " ".join([first, *(_WORDS.get(w, w) for w in words[1:])])


def _scalar(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(_scalar(v) for v in value) if value else "none"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _block(obj: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    flat = [k for k, v in obj.items() if not _nested(v)]
    width = max((len(label(k)) for k in flat), default=0)
    out: list[str] = []
    for key, value in obj.items():
        if is_sale(value):
            out.append(f"{pad}{label(key)}:")
            out += [f"{pad}  {ln}" for ln in sale_text(value).splitlines()]
        elif isinstance(value, dict) and value:
            out.append(f"{pad}{label(key)}:")
            out += _block(value, indent + 2)
        elif isinstance(value, list) and value and not all(not isinstance(v, (dict, list)) for v in value):
            out.append(f"{pad}{label(key)}:")
            out += _list(value, indent + 2)
        else:
            shown = "none" if value == {} else _scalar(value)
            out.append(f"{pad}{label(key) + ':':<{width + 1}} {shown}")
    return out


def _nested(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value)
    return isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)


def _list(items: list[Any], indent: int) -> list[str]:
    if all(isinstance(v, dict) for v in items):
        return _table(items, indent)
    out: list[str] = []
    for v in items:
        out += _block(v, indent) if isinstance(v, dict) else [" " * indent + _scalar(v)]
    return out


def _table(items: list[dict[str, Any]], indent: int) -> list[str]:
    columns: list[str] = []
    for item in items:
        columns += [k for k in item if k not in columns]
    cells = [[_cell(item.get(c)) for c in columns] for item in items]
    heads = [label(c) for c in columns]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(heads)]
    right = [all(_NUMBER.fullmatch(r[i]) or r[i] == "-" for r in cells) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        parts = [f"{v:>{w}}" if r else f"{v:<{w}}" for v, w, r in zip(values, widths, right)]
        return (" " * indent + "  ".join(parts)).rstrip()
    return [line(heads), " " * indent + "  ".join("-" * w for w in widths)] + [line(r) for r in cells]


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_scalar(v)}" for k, v in value.items()) or "-"
    return _scalar(value)


# --- a sale ----------------------------------------------------------------------------

def is_sale(obj: Any) -> bool:
    """The sale object of cli.md (`sell`, `quote`, `sale show`, `sale reverse`)."""
    return isinstance(obj, dict) and isinstance(obj.get("lines"), list) and "tendered" in obj and "meter" in obj


def _pair(left: str, right: str, width: int = WIDTH) -> str:
    gap = max(2, width - len(left) - len(right))
    return f"{left}{' ' * gap}{right}"


def _line_label(ln: dict[str, Any], mixed: bool) -> tuple[str, str]:
    kind = ln["kind"]
    if kind == "energy":
        name = f"Energy {ln.get('sub_item', '')}".rstrip()
        if mixed and ln.get("power_type"):
            name += f" {ln['power_type']}"
        return f"{name}, block {ln.get('block', '?')}", f"{ln.get('kwh', '')} kWh"
    if kind == "free":
        return _LINE_LABELS["free"], f"{ln.get('kwh', '')} kWh"
    return _LINE_LABELS.get(kind, label(kind)), ""


def sale_text(view: dict[str, Any]) -> str:
    """A sale as a receipt summary; a quote the same without what only a sale has."""
    status = str(view.get("status", ""))
    if status == "quote":
        out = [_pair("QUOTE", "nothing sold"), "-" * WIDTH]
    else:
        out = [_pair(f"SALE {view.get('receipt_no') or ''}".rstrip(), status.upper()), "-" * WIDTH]
    facts: list[tuple[str, str]] = []
    if view.get("customer"):
        who = view["customer"] + (f" ({view['account_no']})" if view.get("account_no") else "")
        facts.append(("Customer", who))
    facts.append(("Meter", str(view["meter"])))
    if view.get("sold_at"):
        facts.append(("Date", str(view["sold_at"]).replace("T", " ")))
    for key in ("operator", "payment", "receipt_no"):
        if view.get(key):
            facts.append((label(key), str(view[key])))
    versions = view.get("tariff_versions") or {}
    if versions:
        facts.append(("Tariff", ", ".join(f"{pt} v{v}" for pt, v in versions.items())))
    width = max(len(k) for k, _ in facts)
    out += [f"{k + ':':<{width + 1}} {v}" for k, v in facts]
    out.append("-" * WIDTH)
    mixed = len(versions) > 1
    for ln in view["lines"]:
        name, energy = _line_label(ln, mixed)
        amount = str(ln["amount"])
        out.append(_pair(f"{name:<30}{energy:>10}" if energy else name, amount))
    cur = view.get("currency", "")
    energy = f"{view['credit_kwh']} kWh"
    if view.get("free_kwh") not in (None, "0.00"):
        energy += f" (incl. {view['free_kwh']} free)"
    out += ["-" * WIDTH, _pair("Tendered", f"{cur} {view['tendered']}".strip())]
    if view.get("carry_over_used") not in (None, "0.00"):
        out.append(_pair("Carry-over used", str(view["carry_over_used"])))
    out += [_pair("Energy", energy), _pair("Change carried", str(view["change_carried"]))]
    if view.get("token"):
        digits = str(view["token"])
        out.append(_pair("STS token", " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))))
    reversal = view.get("reversal")
    if reversal:
        out += ["-" * WIDTH, f"Reversed {str(reversal['at']).replace('T', ' ')} by {reversal['operator']}",
                f"  reason: {reversal['reason']}"]
    receipt = view.get("receipt")
    if isinstance(receipt, dict):
        out += ["-" * WIDTH, receipt_line(receipt)]
    return "\n".join(out)


def receipt_line(receipt: dict[str, Any]) -> str:
    """Whether the receipt printed; a queued one says why and what to do."""
    if receipt.get("queued") or receipt.get("printed") is False:
        err = receipt.get("error") or {}
        return "\n".join([f"Receipt: NOT PRINTED ({err.get('code', 'PRINTER_FAULT')}), waiting in the queue",
                          f"  {err.get('message', 'the printer did not print')}".rstrip(),
                          "  The sale stands. `ppms receipt retry` prints it when the printer is back."])
    return "Receipt: printed" + (" (COPY)" if receipt.get("copy") else "") + (
        "; paper low" if receipt.get("paper_low") else "")
