"""Limits before money moves: checked in `quote` and `sell` before a sale is PENDING.

    AMOUNT_ABOVE_MAXIMUM         the tender is above the ledger parameter `sale.max_tender`
                                 (meta; 10,000,000.00 in a 2-decimal currency by default)
    CREDIT_ABOVE_CARRIER_LIMIT   the energy the money buys is more than one purchase on the
                                 carrier holds (the card's energy field, an STS token's amount)
"""
from __future__ import annotations

from terminal.domain.money import format_kwh, format_money
from terminal.domain.vend import VendResult, calculate_vend
from terminal.ledger.meta import MAX_TENDER
from terminal.services.errors import AmountAboveMaximum, CreditAboveCarrierLimit
from terminal.services.meter_state import MeterState
from terminal.services.ports import Carrier


def tender_within_maximum(state: MeterState, tendered: int) -> None:
    most = state.max_tender
    if tendered > most:
        raise AmountAboveMaximum(f"{format_money(tendered, state.currency)} is more than one sale may take "
                                 f"(at most {format_money(most, state.currency)}, parameter {MAX_TENDER})",
                                 maximum=format_money(most, state.currency))


def within_carrier(state: MeterState, result: VendResult, carrier: Carrier) -> None:
    """Before anything is stored: the energy the money buys fits one purchase on the carrier
    (an STS token's floor would otherwise carry the rest over unseen)."""
    limits = carrier.limits()
    most = limits.max_kwh
    bought = result if limits.exact_floor is None else calculate_vend(state.request(result.tendered, None))
    if bought.credit_kwh > most:
        raise CreditAboveCarrierLimit(
            f"{format_kwh(bought.credit_kwh)} kWh is more than one {carrier.kind} purchase can carry "
            f"(at most {format_kwh(most)} kWh): sell a smaller amount", max_kwh=format_kwh(most))
