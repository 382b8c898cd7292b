"""A card meter's bank payment applied at a terminal (its `payment_applied` item, at ingest):
the payment is marked applied (with the sale) and a `payment` change tells every other
terminal, which then never applies it. The same payment applied again by another sale (two
terminals offline at once) or a payment the center does not know is stored like any item and
returned as a conflict of reason ``payment`` (listed by `ppms-central conflicts`), never
merged: the office reverses the second sale at its terminal."""
from __future__ import annotations

from central import feed
from central.models import Payment
from sync.payment_records import PaymentAppliedRecord


def applied(client: str, record: PaymentAppliedRecord) -> bool:
    """Mark the payment applied; False when it cannot be (a conflict for the auditor)."""
    p = Payment.get_or_none(Payment.id == record.payment_id)
    if p is None or (p.meter, p.amount) != (record.meter, record.amount):
        return False
    if p.status == "applied":
        return bool(p.applied_sale == record.sale_id)
    Payment.update(status="applied", applied_sale=record.sale_id).where(Payment.id == p.id).execute()
    feed.queue("payment", {"payment_id": p.id, "applied": {"terminal": client, "sale": record.sale_id}})
    return True
