"""The customer's and the meter's files as the office reads them: `ppms customer show`,
`ppms meter show`, `ppms meter list` (permission `search`)."""
from __future__ import annotations

import json
from typing import Any

from terminal.domain.money import format_kwh, format_money
from terminal.ledger import Repositories
from terminal.ledger.meter_files import Installation, MeterFile
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.dictionary import searched
from terminal.services.errors import CustomerNotFound, InvalidArgument, MeterNotFound
from terminal.services.meter_state import ledger_currency

MAX_PAGE_SIZE = 500
METER_STATUSES = ("registered", "installed", "replaced", "cancelled")


def _installation(i: Installation) -> dict[str, Any]:
    return {"installation_id": i.uuid, "installed_on": i.installed_on, "installer": i.installer,
            "seals": i.seals.split(",") if i.seals else [],
            "initial_reading_kwh": None if i.initial_kwh is None else format_kwh(i.initial_kwh),
            "recorded_at": i.recorded_at, "operator": i.operator}


def customer_view(f: MeterFile) -> dict[str, Any]:
    return {"customer_id": f.customer_uuid, "account_no": f.account_no, "name": f.name, "address": f.address,
            "phone": f.phone, "category": f.category, "area": f.area, "building": f.building,
            "id_number": f.id_number, "registered_at": f.registered_at, "closed_at": f.closed_at}


def meter_view(r: Repositories, f: MeterFile) -> dict[str, Any]:
    return {"meter_id": f.meter_uuid, "number": f.number, "carrier": f.carrier, "status": f.status,
            "meter_type": f.meter_type, "maker": f.maker, "model": f.model, "capacity_a": f.capacity_a,
            "power_types": [{"code": c, "percent": p} for c, p in r.meters.shares(f.meter_id)],
            "registered_on": f.registered_on, "installed_at": f.installed_at,
            **({"sts": json.loads(f.sts)} if f.sts else {}),
            "installations": [_installation(i) for i in r.meter_files.installations(f.meter_id)]}


def _balances(r: Repositories, customer_id: int) -> dict[str, str]:
    code = r.meta.get("currency")
    if code is None:
        return {}
    cur = ledger_currency(r)
    carry, arrears = r.customers.balances(customer_id)
    return {"carry_over": format_money(carry, cur), "arrears": format_money(arrears, cur)}


def show_meter(ctx: Context, session: Session, meter_no: str) -> dict[str, Any]:
    session.require(Permission.SEARCH)
    with ctx.ledger.read() as r:
        f = r.meter_files.of_number(meter_no.strip())
        if f is None:
            raise MeterNotFound(f"no meter {meter_no}", meter=meter_no)
        return {"meter": meter_view(r, f), "customer": customer_view(f) | _balances(r, f.customer_id)}


def show_customer(ctx: Context, session: Session, meter_no: str | None = None,
                  account_no: str | None = None) -> dict[str, Any]:
    """A customer's file and meters, found by one of its meters or its account number."""
    session.require(Permission.SEARCH)
    if (meter_no is None) == (account_no is None):
        raise InvalidArgument("give either a meter number or an account number", key="meter")
    with ctx.ledger.read() as r:
        if meter_no is not None:
            one = r.meter_files.of_number(meter_no.strip())
            if one is None:
                raise MeterNotFound(f"no meter {meter_no}", meter=meter_no)
            account_no = one.account_no
        files = r.meter_files.of_account(str(account_no).strip())
        if not files:
            raise CustomerNotFound(f"no customer with account {account_no}", account_no=account_no)
        return {"customer": customer_view(files[0]) | _balances(r, files[0].customer_id),
                "meters": [meter_view(r, f) for f in files]}


def list_meters(ctx: Context, session: Session, status: str | None = None, area: str | None = None,
                page: int = 1, page_size: int = 50) -> dict[str, Any]:
    """The meter file, a page at a time, in meter number order (an area by its dictionary code or name)."""
    session.require(Permission.SEARCH)
    if status is not None and status not in METER_STATUSES:
        raise InvalidArgument(f"status is one of {', '.join(METER_STATUSES)}", key="status")
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"page is from 1, page size from 1 to {MAX_PAGE_SIZE}", key="page")
    with ctx.ledger.read() as r:
        total, files = r.meter_files.listing(status, searched(r, "area", area), page_size, (page - 1) * page_size)
        items = [{"number": f.number, "carrier": f.carrier, "status": f.status, "meter_type": f.meter_type,
                  "capacity_a": f.capacity_a, "account_no": f.account_no, "customer": f.name, "area": f.area,
                  "building": f.building, "installed_at": f.installed_at} for f in files]
    return {"total": total, "page": page, "page_size": page_size, "items": items}
