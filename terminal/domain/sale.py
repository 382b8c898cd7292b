"""The sale state machine (DESIGN.md "How a sale flows").

::

    QUOTED -> PENDING -> CARRIER_WRITTEN -> COMPLETED -> PRINTED
                 |                              |           |
                 v                              v           v
               VOIDED                        REVERSED <-----+

* PENDING: committed (lines, receipt number, card sequence or STS token reserved).
* CARRIER_WRITTEN: the card was written and read back, or the token stored.
* COMPLETED: journal posted, outbox row queued. A failed print leaves it COMPLETED.
* VOIDED: only from PENDING, when nothing reached the customer.
* REVERSED: reset for selling (a contra-posting), from COMPLETED or PRINTED.

A reprint is not a transition. VOIDED and REVERSED are final.
"""
from __future__ import annotations

from enum import Enum

from terminal.domain.errors import IllegalSaleTransition

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CARRIED",
    "COUNTED",
    "FINAL_STATUSES",
    "SaleStatus",
    "can_transition",
    "check_transition",
]


class SaleStatus(str, Enum):
    QUOTED = "quoted"
    PENDING = "pending"
    CARRIER_WRITTEN = "carrier_written"
    COMPLETED = "completed"
    PRINTED = "printed"
    VOIDED = "voided"
    REVERSED = "reversed"

    def __str__(self) -> str:
        return self.value


ALLOWED_TRANSITIONS: dict[SaleStatus, frozenset[SaleStatus]] = {
    SaleStatus.QUOTED: frozenset({SaleStatus.PENDING}),
    SaleStatus.PENDING: frozenset({SaleStatus.CARRIER_WRITTEN, SaleStatus.VOIDED}),
    SaleStatus.CARRIER_WRITTEN: frozenset({SaleStatus.COMPLETED}),
    SaleStatus.COMPLETED: frozenset({SaleStatus.PRINTED, SaleStatus.REVERSED}),
    SaleStatus.PRINTED: frozenset({SaleStatus.REVERSED}),
    SaleStatus.VOIDED: frozenset(),
    SaleStatus.REVERSED: frozenset(),
}
FINAL_STATUSES = frozenset(s for s, nxt in ALLOWED_TRANSITIONS.items() if not nxt)

# the status sets selling, reports and `ppms check` share (values, as the ledger stores them):
COUNTED: tuple[str, ...] = (SaleStatus.COMPLETED.value, SaleStatus.PRINTED.value)
"""Sales whose energy reached the customer and still stand: usage, free periods, fixed months."""
CARRIED: tuple[str, ...] = (*COUNTED, SaleStatus.REVERSED.value)
"""Sales whose purchase went to the carrier and was posted (a reversal keeps its sale posting)."""


def can_transition(old: SaleStatus, new: SaleStatus) -> bool:
    return SaleStatus(new) in ALLOWED_TRANSITIONS[SaleStatus(old)]


def check_transition(old: SaleStatus, new: SaleStatus) -> None:
    """Refuse a move the sale state machine does not allow."""
    if not can_transition(old, new):
        old_s, new_s = SaleStatus(old), SaleStatus(new)
        raise IllegalSaleTransition(
            f"A {old_s.value.replace('_', ' ')} sale cannot become "
            f"{new_s.value.replace('_', ' ')}.", old=old_s.value, new=new_s.value)
