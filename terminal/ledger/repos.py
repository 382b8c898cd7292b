"""Read-side queries the services need: a meter's state at the time of a sale.

Everything here is derived from append-only rows (sales that count, postings),
so a reversal restores usage, fixed-charge months and balances by itself.
"""
from __future__ import annotations

from peewee import fn

from terminal.ledger import journal
from terminal.ledger.models import (
    Customer, Meter, MeterShare, PreferentialVersion, Sale, SaleStatus, SaleUsage, TariffVersion,
)

# sales whose energy reached the customer and still stand
COUNTED = ("completed", "printed")


def meter_by_number(number: str) -> Meter | None:
    return Meter.select(Meter, Customer).join(Customer).where(Meter.number == number).first()


def shares(meter_id: int) -> list[MeterShare]:
    return list(MeterShare.select().where(MeterShare.meter == meter_id).order_by(MeterShare.ordinal))


def tariff_in_force(power_type: str, on_date: str) -> TariffVersion | None:
    return (TariffVersion.select().where((TariffVersion.power_type == power_type)
                                         & (TariffVersion.effective_from <= on_date))
            .order_by(TariffVersion.effective_from.desc()).first())


def preferential_in_force(code: str, at: str) -> PreferentialVersion | None:
    return (PreferentialVersion.select().where((PreferentialVersion.code == code)
                                               & (PreferentialVersion.valid_from <= at))
            .order_by(PreferentialVersion.version.desc()).first())


def used_kwh(meter_id: int, power_type: str, start: str | None, end: str | None) -> int:
    q = (SaleUsage.select(fn.COALESCE(fn.SUM(SaleUsage.kwh), 0))
         .join(SaleStatus, on=(SaleStatus.sale == SaleUsage.sale))
         .where((SaleUsage.meter == meter_id) & (SaleUsage.power_type == power_type)
                & SaleStatus.status.in_(COUNTED)))
    if start is not None:
        q = q.where(SaleUsage.sold_at >= start)
    if end is not None:
        q = q.where(SaleUsage.sold_at < end)
    return int(q.scalar())


def counted_sales_between(meter_id: int, start: str | None, end: str | None) -> int:
    q = (Sale.select(fn.COUNT(Sale.id)).join(SaleStatus, on=(SaleStatus.sale == Sale.id))
         .where((Sale.meter == meter_id) & SaleStatus.status.in_(COUNTED)))
    if start is not None:
        q = q.where(Sale.sold_at >= start)
    if end is not None:
        q = q.where(Sale.sold_at < end)
    return int(q.scalar())


def last_charged_month(meter_id: int) -> int | None:
    """Months are counted as year*12 + (month-1)."""
    v = (Sale.select(fn.MAX(Sale.charged_through)).join(SaleStatus, on=(SaleStatus.sale == Sale.id))
         .where((Sale.meter == meter_id) & SaleStatus.status.in_(COUNTED))).scalar()
    return None if v is None else int(v)


def pending_sales(meter_id: int | None = None) -> list[Sale]:
    q = (Sale.select().join(SaleStatus, on=(SaleStatus.sale == Sale.id))
         .where(SaleStatus.status == "pending"))
    if meter_id is not None:
        q = q.where(SaleStatus.meter == meter_id)
    return list(q.order_by(Sale.id))


def next_purchase_sequence(meter_id: int) -> int:
    carried = (SaleStatus.select(fn.COUNT(SaleStatus.sale))
               .where((SaleStatus.meter == meter_id)
                      & SaleStatus.status.not_in(("pending", "voided")))).scalar()
    return int(carried) + 1


def latest_counted_sale(meter_id: int) -> Sale | None:
    return (Sale.select().join(SaleStatus, on=(SaleStatus.sale == Sale.id))
            .where((Sale.meter == meter_id) & SaleStatus.status.in_(COUNTED))
            .order_by(Sale.id.desc()).first())


def carry_over(customer_id: int) -> int:
    """The customer's carry-over balance (a liability: its credit balance)."""
    return -journal.balance("CARRY_OVER", customer_id)


def arrears(customer_id: int) -> int:
    return journal.balance("ARREARS", customer_id)


def sale_status(sale_id: int) -> str:
    return str(SaleStatus.get(SaleStatus.sale == sale_id).status)
