"""A meter's selling state at the time of a sale, gathered from the ledger.

The helpers take the repositories of the caller's read view or unit of work (`r`), so a
service decides on what it reads in the scope it writes in when it must."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from terminal.domain.money import Currency, currency
from terminal.domain.periods import free_kwh_period_bounds, months_to_charge, period_bounds
from terminal.domain.tariff import PowerTypeTariff, Preferential, power_type_from_json, preferential_from_json
from terminal.domain.vend import Share, VendRequest, primary_share
from terminal.ledger import Repositories
from terminal.ledger.repos import MeterRow
from terminal.services.context import Context
from terminal.services.errors import (
    MeterCancelled,
    MeterNotFound,
    MeterNotInstalled,
    MeterReplaced,
    NoTariff,
    NotInitialised,
)
from terminal.services.ports import MeterRef


@lru_cache(maxsize=256)
def _tariff(version_id: int, data: str) -> PowerTypeTariff:
    return power_type_from_json(json.loads(data))


@lru_cache(maxsize=64)
def _preferential(version_id: int, data: str) -> Preferential:
    return preferential_from_json(json.loads(data))


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def meter_ref(meter: MeterRow) -> MeterRef:
    return MeterRef(number=meter.number, carrier=meter.carrier,
                    sts=json.loads(meter.sts) if meter.sts else None)


@lru_cache(maxsize=1)
def _currency(code: str) -> Currency:
    return currency(code)


def ledger_currency(r: Repositories) -> Currency:
    code = r.meta.get("currency")
    if code is None:
        raise NoTariff("no tariff has been imported yet: run `ppms tariff import FILE`")
    return _currency(code)


@dataclass(frozen=True)
class MeterState:
    meter: MeterRow
    currency: Currency
    sale_date: date
    shares: tuple[Share, ...]
    tariff_versions: dict[str, int]
    preferential: Preferential | None
    months_to_charge: int
    first_sale_in_period: bool
    free_period_start: str
    carry_over: int
    arrears: int
    tariff_index: int
    pending: int
    next_sequence: int
    max_tender: int          # the most one sale may tender (minor units, `sale.max_tender`)

    def request(self, tendered: int, exact_floor: Callable[[int], int] | None) -> VendRequest:
        return VendRequest(tendered=tendered, carry_over=self.carry_over, arrears=self.arrears,
                           shares=self.shares, months_to_charge=self.months_to_charge,
                           preferential=self.preferential, first_sale_in_period=self.first_sale_in_period,
                           exact_floor=exact_floor)

    def charged_through(self, months_charged: int) -> int | None:
        return month_index(self.sale_date) if months_charged > 0 else None

    @property
    def primary(self) -> Share:
        return primary_share(self.shares)


def find_meter(r: Repositories, meter_no: str) -> MeterRow:
    meter = r.meters.by_number(meter_no.strip())
    if meter is None:
        raise MeterNotFound(f"no meter {meter_no}", meter=meter_no)
    return meter


def check_sellable(meter: MeterRow) -> None:
    if meter.status == "cancelled":
        raise MeterCancelled(f"meter {meter.number} is cancelled", meter=meter.number)
    if meter.status == "replaced":
        raise MeterReplaced(f"meter {meter.number} was replaced: sell to its new meter", meter=meter.number)
    if meter.status != "installed":
        raise MeterNotInstalled(f"meter {meter.number} is not installed", meter=meter.number)


def fixed_charge_start(r: Repositories, meter_id: int, registered_on: str,
                       last_charged: int | None) -> tuple[str, int | None, int]:
    """(first month to charge from, last month charged, purchases before the first sale) of a
    meter: a replacement meter continues its old meter's months of fixed charge (they stay with
    the customer, selling.md) and its credit transfer is its purchase 1."""
    transfer = r.amendments.transfer_into(meter_id)
    if transfer is None:
        return registered_on, last_charged, 0
    old = r.meters.by_id(transfer.old_meter_id)
    old_last = r.sales.history(old.id, "", "").last_charged_month
    start, inherited, _ = fixed_charge_start(r, old.id, old.registered_on, old_last)
    both = [m for m in (last_charged, inherited) if m is not None]
    return start, max(both) if both else None, 1


def load_meter_state(ctx: Context, meter_no: str) -> MeterState:
    """The meter's state now, read in one snapshot."""
    with ctx.ledger.read() as r:
        return meter_state(r, ctx.now(), meter_no)


def meter_state(r: Repositories, now: datetime, meter_no: str) -> MeterState:
    meter = find_meter(r, meter_no)
    check_sellable(meter)
    cur = ledger_currency(r)
    today = now.date()
    shares: list[Share] = []
    versions: dict[str, int] = {}
    for power_type, percent in r.meters.shares(meter.id):
        tv = r.tariffs.in_force(power_type, today.isoformat())
        if tv is None:
            raise NoTariff(f"no tariff for power type {power_type} is in force on {today}",
                           power_type=power_type)
        tariff = _tariff(tv[0], tv[2])
        bounds = period_bounds(tariff.tier_period, today)
        used = 0 if bounds is None else r.sales.used_kwh(meter.id, power_type, bounds[0].isoformat(),
                                                        bounds[1].isoformat())
        shares.append(Share(tariff=tariff, percent=percent, used_kwh=used))
        versions[power_type] = tv[1]
    if not shares:
        raise NotInitialised(f"meter {meter.number} has no power type")
    primary = primary_share(tuple(shares))
    pref = None
    if meter.category:
        pv = r.tariffs.preferential_in_force(meter.category, now.isoformat(timespec="seconds"))
        pref = _preferential(pv[0], pv[2]) if pv else None
    free_start, free_end = free_kwh_period_bounds(primary.tariff.tier_period, today)
    history = r.sales.history(meter.id, free_start.isoformat(), free_end.isoformat())
    start_on, last, transferred = fixed_charge_start(r, meter.id, meter.registered_on, history.last_charged_month)
    months = months_to_charge(date.fromisoformat(start_on),
                              None if last is None else (last // 12, last % 12 + 1), today)
    carry, arrears = r.customers.balances(meter.customer_id)
    return MeterState(
        meter=meter, currency=cur, sale_date=today, shares=tuple(shares), tariff_versions=versions,
        preferential=pref, months_to_charge=months, first_sale_in_period=history.counted_in_period == 0,
        free_period_start=free_start.isoformat(), carry_over=carry, arrears=arrears,
        tariff_index=versions[primary.tariff.code] % 100, pending=history.pending,
        next_sequence=history.carried + transferred + 1, max_tender=r.meta.max_tender(),
    )
