"""Registration and installation: the customer's file and the meter's file.

`register` does both in one step (cli.md `ppms customer register`): a customer,
a meter installed for it, and the meter's split across power types (the
seed's "proportion of energy consuming", e.g. ``RES:70,COM:30``).
"""
from __future__ import annotations

import re
from typing import Any

from sync.records import CustomerFile, MeterFile, RegistrationRecord, Share, StsSettings
from terminal.domain.split import parse_split
from terminal.ledger import Fact, Outgoing
from terminal.ledger.ids import new_id
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import (
    CategoryNotFound,
    InvalidArgument,
    MeterExists,
    PowerTypeNotFound,
)
from terminal.services.ports import MeterRef

METER_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,19}")


def register(ctx: Context, session: Session, name: str, address: str, meter_no: str, power_type: str,
             category: str | None = None, phone: str | None = None, area: str | None = None,
             carrier: str = "card", sts: dict[str, Any] | None = None) -> dict[str, Any]:
    session.require(Permission.REGISTRATION)
    session.require(Permission.INSTALLATION)
    name, address, meter_no = name.strip(), address.strip(), meter_no.strip()
    if not name:
        raise InvalidArgument("the customer's name is needed", key="name")
    if not address:
        raise InvalidArgument("the customer's address is needed", key="address")
    if not METER_NUMBER.fullmatch(meter_no):
        raise InvalidArgument(f"meter number {meter_no!r} must be 1-20 letters, digits or '-'", key="meter")
    if carrier == "sts" and not sts:
        raise InvalidArgument("an STS meter needs its SGC, TI, KRN and key settings", key="sts")
    split = parse_split(power_type)  # SHARE_SPLIT_INVALID
    # a kind of carrier this terminal has none of is refused (INVALID_ARGUMENT, key carrier)
    checker = ctx.carriers.for_meter(MeterRef(number=meter_no, carrier=carrier, sts=sts))
    if carrier == "sts":
        sts = checker.check_settings(sts or {})  # type: ignore[attr-defined]
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        for code, _ in split:
            if not uow.tariffs.power_type_exists(code):
                raise PowerTypeNotFound(f"no power type {code}: import a tariff that defines it", power_type=code)
        if category and uow.tariffs.preferential_in_force(category, at) is None:
            raise CategoryNotFound(f"no preferential category {category}", category=category)
        if uow.meters.by_number(meter_no) is not None:
            raise MeterExists(f"meter {meter_no} is already registered", meter=meter_no)
        cust_uuid, meter_uuid = new_id(), new_id()
        account_no = f"{ctx.terminal_id}-C{uow.counters.next_value('customer'):06d}"
        cid = uow.customers.insert(cust_uuid, account_no, name, address, phone, category or None, area, at)
        uow.meters.register(meter_uuid, meter_no, cid, carrier, at, sts, list(split))
        view = {
            "customer": {"customer_id": cust_uuid, "account_no": account_no, "name": name,
                         "address": address, "phone": phone, "category": category or None, "area": area,
                         "registered_at": at},
            "meter": {"meter_id": meter_uuid, "number": meter_no, "carrier": carrier, "status": "installed",
                      "power_types": [{"code": c, "percent": p} for c, p in split],
                      "installed_at": at, **({"sts": sts} if sts else {})},
        }
        record = RegistrationRecord(
            CustomerFile(cust_uuid, account_no, name, address, at, phone, category or None, area),
            MeterFile(meter_uuid, meter_no, carrier, "installed", tuple(Share(c, p) for c, p in split), at,
                      StsSettings(**sts) if sts else None))
        uow.record(Fact("customer.register", f"customer:{cust_uuid}", session.username, at, after=view,
                        outbox=Outgoing("registration", cust_uuid, record)))
    return view
