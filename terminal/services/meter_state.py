"""A meter's selling state at the time of a sale, gathered from the ledger."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Callable

from terminal.domain.money import Currency, currency
from terminal.domain.periods import months_to_charge, period_bounds
from terminal.domain.tariff import PowerTypeTariff, Preferential, power_type_from_json, preferential_from_json
from terminal.domain.vend import Share, VendRequest, primary_share
from terminal.ledger import meta, repos
from terminal.ledger.models import Customer, Meter
from terminal.services.context import Context
from terminal.services.errors import (
    MeterCancelled, MeterNotFound, MeterNotInstalled, NoTariff, NotInitialised,
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


def meter_ref(meter: Meter) -> MeterRef:
    return MeterRef(number=meter.number, carrier=meter.carrier,
                    sts=json.loads(meter.sts) if meter.sts else None)


def ledger_currency() -> Currency:
    code = meta.get("currency")
    if code is None:
        raise NoTariff("no tariff has been imported yet: run `ppms tariff import FILE`")
    return currency(code)


@dataclass(frozen=True)
class MeterState:
    meter: Meter
    customer: Customer
    currency: Currency
    sale_date: date
    shares: tuple[Share, ...]
    tariff_versions: dict[str, int]
    preferential: Preferential | None
    months_to_charge: int
    first_sale_in_period: bool
    free_period_start: str | None
    carry_over: int
    arrears: int
    tariff_index: int

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


def find_meter(meter_no: str) -> Meter:
    meter = repos.meter_by_number(meter_no.strip())
    if meter is None:
        raise MeterNotFound(f"no meter {meter_no}", meter=meter_no)
    return meter


def load_meter_state(ctx: Context, meter_no: str, for_sale: bool = True) -> MeterState:
    meter = find_meter(meter_no)
    if for_sale:
        if meter.status == "cancelled":
            raise MeterCancelled(f"meter {meter.number} is cancelled", meter=meter.number)
        if meter.status != "installed":
            raise MeterNotInstalled(f"meter {meter.number} is not installed", meter=meter.number)
    cur = ledger_currency()
    now = ctx.now()
    today = now.date()
    at = now.isoformat(timespec="seconds")
    shares: list[Share] = []
    versions: dict[str, int] = {}
    for row in repos.shares(meter.id):
        tv = repos.tariff_in_force(row.power_type, today.isoformat())
        if tv is None:
            raise NoTariff(f"no tariff for power type {row.power_type} is in force on {today}",
                           power_type=row.power_type)
        tariff = _tariff(tv.id, tv.data)
        bounds = period_bounds(tariff.tier_period, today)
        start, end = (bounds[0].isoformat(), bounds[1].isoformat()) if bounds else (None, None)
        shares.append(Share(tariff=tariff, percent=row.percent,
                            used_kwh=repos.used_kwh(meter.id, row.power_type, start, end)))
        versions[row.power_type] = tv.version
    if not shares:
        raise NotInitialised(f"meter {meter.number} has no power type")
    primary = primary_share(tuple(shares))
    pref = None
    if meter.customer.category:
        pv = repos.preferential_in_force(meter.customer.category, at)
        pref = _preferential(pv.id, pv.data) if pv else None
    free_bounds = period_bounds(primary.tariff.tier_period, today) or period_bounds("month", today)
    assert free_bounds is not None
    first = repos.counted_sales_between(meter.id, free_bounds[0].isoformat(), free_bounds[1].isoformat()) == 0
    last = repos.last_charged_month(meter.id)
    registered = date.fromisoformat(meter.registered_on)
    months = months_to_charge(registered, None if last is None else (last // 12, last % 12 + 1), today)
    return MeterState(
        meter=meter, customer=meter.customer, currency=cur, sale_date=today, shares=tuple(shares),
        tariff_versions=versions, preferential=pref, months_to_charge=months,
        first_sale_in_period=first, free_period_start=free_bounds[0].isoformat(),
        carry_over=repos.carry_over(meter.customer.id), arrears=repos.arrears(meter.customer.id),
        tariff_index=versions[primary.tariff.code] % 100,
    )
