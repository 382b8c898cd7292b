"""The money value of a meter's remaining credit (selling.md, "Credit moved or refunded").

Walk the meter's credit records (completed, unreversed sales and credit transfers in) from
the newest back. From each record take first its free kWh (worth 0), then up to its paid
kWh `K`, a slice of `k` worth `round(k × EV / K)` (ROUND_HALF_UP), where `EV` is the
record's energy money with its VAT (exact, a fraction; rounded only per slice). Fixed
charges and debt recovery are never in `EV`. A remaining credit beyond everything the walk
reaches has no value (None: the caller refuses it).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from terminal.domain.money import round_half_up


@dataclass(frozen=True)
class CreditRecord:
    """One record that put credit on the meter: paid and free energy (0.01 kWh) and `EV`."""
    paid_kwh: int
    free_kwh: int
    value: Fraction          # energy money with its VAT, minor units (exact)


def energy_value(energy_by_power_type: Iterable[tuple[int, Fraction]]) -> Fraction:
    """`EV` of a sale: Σ E_i × (100 + vat_i) / 100 over its shares (E_i in minor units)."""
    return sum((Fraction(e) * (100 + vat) / 100 for e, vat in energy_by_power_type), Fraction(0))


@dataclass(frozen=True)
class Valuation:
    value: int               # minor units
    slices: tuple[tuple[int, int, int], ...]   # (record index, kWh taken, its value), newest first


def value_remaining(records: Iterable[CreditRecord], remaining: int) -> Valuation | None:
    """The value of `remaining` (0.01 kWh) over the records, newest first; None when the
    records do not reach that far."""
    left = remaining
    total = 0
    slices: list[tuple[int, int, int]] = []
    for i, rec in enumerate(records):
        if left <= 0:
            break
        free = min(left, rec.free_kwh)
        left -= free
        paid = min(left, rec.paid_kwh)
        left -= paid
        worth = round_half_up(Fraction(paid) * rec.value / rec.paid_kwh) if paid else 0
        total += worth
        if free or paid:
            slices.append((i, free + paid, worth))
    if left > 0:
        return None
    return Valuation(total, tuple(slices))
