"""The center's administration, one service for the command line and the dashboard: a tariff
sheet (checked as a terminal checks it, then sent in the feed), a ledger parameter, a card
meter's blacklisting, a terminal's offline limits."""
from __future__ import annotations

import json
import re
from typing import Any

from central import db as central_db
from central import feed
from central.errors import AdminInvalid, NotFound
from central.models import Change, Terminal
from central.reports import center_currency
from terminal.domain.money import currency, format_money, parse_money

MAX_TARIFF = 256 * 1024


def tariff_import(text: str) -> dict[str, Any]:
    from terminal.domain.tariff import parse_tariff
    if len(text) > MAX_TARIFF:
        raise AdminInvalid(f"a tariff sheet is at most {MAX_TARIFF} bytes", key="file")
    sheet = parse_tariff(text)   # refused here as the terminal would refuse it
    return {"cursor": feed.add("tariff", {"toml": text}),
            "power_types": [pt.code for pt in sheet.power_types]}


def tariff_versions(limit: int = 50) -> list[dict[str, Any]]:
    """The tariff sheets sent, newest first: cursor, when, and each power type's effective day."""
    from terminal.domain.tariff import parse_tariff
    out = []
    for c in Change.select().where(Change.kind == "tariff").order_by(Change.cursor.desc()).limit(limit):
        sheet = parse_tariff(json.loads(c.data)["toml"])
        out.append({"cursor": c.cursor, "sent_at": c.created_at, "currency": sheet.currency.code,
                    "power_types": [f"{pt.code} from {pt.effective_from}" for pt in sheet.power_types]})
    return out


def parameter_set(key: str, value: str) -> dict[str, Any]:
    if not re.fullmatch(r"[a-z][a-z0-9_.]{0,63}", key) or not value.strip() or len(value) > 200:
        raise AdminInvalid("a parameter is a dotted lower-case key and a value of 1-200 characters", key="KEY")
    return {"cursor": feed.add("parameter", {"key": key, "value": value.strip()})}


def blacklist(meter: str, reason: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z-]{0,19}", meter) or not 1 <= len(reason.strip()) <= 200:
        raise AdminInvalid("a meter number and a reason of 1-200 characters", key="meter")
    return {"cursor": feed.add("blacklist", {"meter": meter, "reason": reason.strip()})}


def recent(kind: str, limit: int = 50) -> list[dict[str, Any]]:
    return [{"cursor": c.cursor, "sent_at": c.created_at, **json.loads(c.data)} for c in
            Change.select().where(Change.kind == kind).order_by(Change.cursor.desc()).limit(limit)]


def offline_limits(terminal: str, hours: int, amount: str) -> dict[str, Any]:
    if not 0 <= hours <= 24 * 365:
        raise AdminInvalid("the offline hours are 0 to 8760", key="offline_max_hours")
    cur = currency(center_currency())
    minor = parse_money(amount, cur)
    with central_db.write(Terminal._meta.database):
        if not Terminal.update(offline_max_hours=hours, offline_max_amount=minor).where(
                Terminal.id == terminal).execute():
            raise NotFound(f"no terminal {terminal!r}")
    return {"terminal": terminal, "offline_max_hours": hours, "offline_max_amount": format_money(minor, cur)}
