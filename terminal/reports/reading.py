"""The meter reading report: readings by area and period, consumption, meters not read.

One row per meter read in the period (by area, then meter number): how many readings,
the first and last total register, the consumption (the last total less the meter's
latest total before the period, or less its first total in the period when it has
none before), the remaining credit last read, and the anomalies: a total below the one
before it, status flags the meter reported, and what the reading function noted in the
reading's detail (`anomalies`). Installed meters with no reading in the period are rows
of their own with `readings` 0 and the anomaly `not read`.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from terminal.domain.money import Currency, format_kwh
from terminal.ledger import Repositories
from terminal.reports.model import Column, Table, Value

NOT_READ = "not read"
COLUMNS = (
    Column("key", "text", "Area", "区域"),
    Column("meter", "text", "Meter", "表号"),
    Column("readings", "count", "Readings", "抄表次数"),
    Column("first_kwh", "kwh", "First total kWh", "首次读数"),
    Column("last_kwh", "kwh", "Last total kWh", "末次读数"),
    Column("consumption", "kwh", "Consumption kWh", "用电量"),
    Column("remaining_kwh", "kwh", "Remaining kWh", "剩余电量"),
    Column("anomalies", "text", "Anomalies", "异常"),
)


def _anomalies(flags: Any, detail: Any) -> list[str]:
    out = [f"status flags {int(flags):#06x}"] if flags else []
    try:
        noted = json.loads(detail) if detail else {}
    except ValueError:
        noted = {}
    if isinstance(noted, dict) and isinstance(noted.get("anomalies"), list):
        out += [str(a) for a in noted["anomalies"]]
    return out


def gather(r: Repositories, cur: Currency, start: date, end: date, language: str = "en") -> Table:
    lo, hi = start.isoformat(), (end + timedelta(days=1)).isoformat()
    before = r.reports.previous_totals(lo)
    meters: dict[str, dict[str, Value]] = {}
    notes: dict[str, list[str]] = {}
    for area, number, _at, _source, total, remaining, flags, detail in r.reports.readings(lo, hi):
        row = meters.setdefault(number, {"key": area or "-", "meter": number, "readings": 0, "first_kwh": None,
                                         "last_kwh": None, "consumption": None, "remaining_kwh": None})
        seen = notes.setdefault(number, [])
        row["readings"] = int(row["readings"] or 0) + 1
        if total is not None:
            last = row["last_kwh"] if row["last_kwh"] is not None else before.get(number)
            if last is not None and int(total) < int(last):
                seen.append("total below the reading before")
            row["first_kwh"] = int(total) if row["first_kwh"] is None else row["first_kwh"]
            row["last_kwh"] = int(total)
        if remaining is not None:
            row["remaining_kwh"] = int(remaining)
        seen += _anomalies(flags, detail)
    for number, row in meters.items():
        base = before.get(number, row["first_kwh"])
        if row["last_kwh"] is not None and base is not None:
            row["consumption"] = int(row["last_kwh"]) - int(base)
        row["anomalies"] = "; ".join(dict.fromkeys(notes[number]))
    unread = [{"key": area or "-", "meter": number, "readings": 0, "first_kwh": None, "last_kwh": None,
               "consumption": None, "remaining_kwh": None, "anomalies": NOT_READ}
              for area, number in r.reports.installed_meters(hi) if number not in meters]
    rows = sorted([*meters.values(), *unread], key=lambda x: (str(x["key"]), str(x["meter"])))
    totals: dict[str, Value] = {
        "key": "合计" if language == "zh" else "Total", "meter": f"{len(meters)} read, {len(unread)} not read",
        "readings": sum(int(x["readings"] or 0) for x in rows),
        "consumption": sum(int(x["consumption"] or 0) for x in rows)}
    title = "抄表报表" if language == "zh" else "Meter reading report"
    return Table("reading", title, (start.isoformat(), end.isoformat()), cur, list(COLUMNS), rows, totals)


def as_json(t: Table) -> dict[str, Any]:
    areas: dict[str, dict[str, Any]] = {}
    for row in t.rows:
        a = areas.setdefault(str(row["key"]), {"area": row["key"], "meters_read": 0, "meters_not_read": 0,
                                                "readings": 0, "consumption": 0})
        read = int(row["readings"] or 0) > 0
        a["meters_read" if read else "meters_not_read"] += 1
        a["readings"] += int(row["readings"] or 0)
        a["consumption"] += int(row["consumption"] or 0)

    def kwh(v: Value) -> str | None:
        return None if v is None else format_kwh(int(v))

    return {
        "report": "reading", "from": t.period[0], "to": t.period[1],
        "areas": [a | {"consumption": format_kwh(a["consumption"])} for a in areas.values()],
        "rows": [{k: (kwh(v) if k in ("first_kwh", "last_kwh", "consumption", "remaining_kwh") else v)
                  for k, v in row.items()} for row in t.rows],
        "not_read": [row["meter"] for row in t.rows if not row["readings"]],
        "totals": {"meters_read": sum(a["meters_read"] for a in areas.values()),
                   "meters_not_read": sum(a["meters_not_read"] for a in areas.values()),
                   "readings": t.totals["readings"], "consumption": format_kwh(int(t.totals["consumption"] or 0))},
    }
