"""The searches (`ppms search sales|meters|readings|checks|amendments|diary`): one page of a
file, newest first, with how many rows match: `{"total": N, "page": N, "items": [...]}`.

Filters: the days (--from/--to, both included) on the file's own time, and what the file
knows of: operator, customer area, power type, meter number, customer-name prefix (the
diary knows operators and meters only; meters and readings know no operator). A filter a
file does not know is refused (INVALID_ARGUMENT), never ignored. An area is found by its
dictionary code or name (`dictionary.searched`).
"""
from __future__ import annotations

import json
from typing import Any

from terminal.domain.money import format_kwh, format_money
from terminal.ledger.search import KINDS as KINDS  # the searches there are (the command line lists them)
from terminal.ledger.search import SUPPORTED, Filters
from terminal.services.account_books import day_span, money_of
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.dictionary import searched
from terminal.services.errors import InvalidArgument

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
_MONEY = {"sales": ("tendered",), "amendments": ("fee",)}
_ENERGY = {"sales": ("kwh", "free_kwh", "credit_kwh"), "readings": ("total_kwh", "remaining_kwh"),
           "checks": ("expected_kwh", "observed_kwh", "tolerance_kwh")}


def search(ctx: Context, session: Session, kind: str, *, start: str | None = None, end: str | None = None,
           operator: str | None = None, area: str | None = None, power_type: str | None = None,
           meter: str | None = None, name: str | None = None, page: int = 1,
           page_size: int = DEFAULT_PAGE_SIZE) -> dict[str, Any]:
    session.require(Permission.SEARCH)
    if kind not in KINDS:
        raise InvalidArgument(f"no search {kind!r}: one of {', '.join(KINDS)}", key="kind")
    given = {"operator": operator, "area": area, "power_type": power_type, "meter": meter, "name": name}
    for key, value in given.items():
        if value is not None and key not in SUPPORTED[kind]:
            raise InvalidArgument(f"search {kind} has no {key.replace('_', '-')} filter", key=key)
        if value is not None and not value.strip():
            raise InvalidArgument(f"--{key.replace('_', '-')} is empty", key=key)
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"--page is from 1 and --page-size from 1 to {MAX_PAGE_SIZE}", key="page")
    since, until = day_span(start, end)
    with ctx.ledger.read() as r:
        f = Filters(since, until, operator, searched(r, "area", area), power_type, meter.strip() if meter else None,
                    name)
        cur = money_of(r)
        op_id = None if operator is None else r.search.operator_id(operator)
        items: list[dict[str, Any]] = []
        if operator is not None and op_id is None and kind != "diary":
            total = 0
        else:
            total, items = r.search.page(kind, f, op_id, page_size, (page - 1) * page_size)
    for item in items:
        for key in _MONEY.get(kind, ()):
            item[key] = format_money(item[key], cur)
        for key in _ENERGY.get(kind, ()):
            item[key] = None if item[key] is None else format_kwh(item[key])
        if kind == "diary":
            item["before"], item["after"] = (None if v is None else json.loads(v)
                                             for v in (item["before"], item["after"]))
    return {"search": kind, "total": total, "page": page, "page_size": page_size, "items": items}
