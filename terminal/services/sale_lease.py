"""The leases of the sales a selling call begins or recovers (`terminal.ledger.leases`).

`sell` and `recover` are wrapped in `holding_leases`: a lease taken during the call is held
until the call returns or raises, so a seller owns its sale from before the PENDING commit
until the sale is decided or deliberately left PENDING, and a recovery owns what it decides.
Nested calls (the seller's own recovery of an earlier sale) share the outer call's leases.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from terminal.ledger import Ledger
from terminal.ledger.leases import Lease

P = ParamSpec("P")
R = TypeVar("R")


class _Held(threading.local):
    leases: list[Lease] | None = None


_held = _Held()


def holding_leases(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        if _held.leases is not None:
            return fn(*args, **kwargs)
        _held.leases = []
        try:
            return fn(*args, **kwargs)
        finally:
            taken, _held.leases = _held.leases, None
            for lease in taken:
                lease.release()
    return call


def _keep(lease: Lease) -> None:
    if _held.leases is None:
        lease.release()
        raise AssertionError("a sale's lease taken outside a holding_leases call")
    _held.leases.append(lease)


def own_new(ledger: Ledger, sale_uuid: str) -> None:
    """The seller's lease on the sale it is about to commit. Inside a unit of work that is not
    committed yet (the demo's batches) no other process can see the sale: there is nothing to own."""
    if ledger.in_unit_of_work:
        return
    lease = ledger.take_lease(sale_uuid)
    if lease is None:
        raise AssertionError(f"the lease of new sale {sale_uuid} is held")
    _keep(lease)


def claim(ledger: Ledger, sale_uuid: str) -> bool:
    """Recovery's lease on a PENDING sale: False when a live process owns the sale."""
    lease = ledger.take_lease(sale_uuid)
    if lease is None:
        return False
    _keep(lease)
    return True
