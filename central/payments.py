"""`POST /api/v1/payments` (signed by a gateway): a bank or mobile-money payment for a meter.

Idempotent on the gateway's ``reference``: the same reference again (same meter, same
amount) gives the same answer; with another meter or amount it is PAYMENT_CONFLICT (409).
A payment for a card meter waits (``waiting``) and travels down the feed (kind
``payment``) to every terminal. The meter must be known to the center (a terminal's
registration, synced): otherwise NOT_FOUND. An STS meter's payment is refused with
PAYMENT_METER_UNSUPPORTED until the center holds an STS vending module.
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

from central import db as central_db
from central.clock import now_text
from central.errors import BadRequest, NotFound, PaymentConflict, PaymentMeterUnsupported
from central.ingest import TIME
from central.models import Change, MeterFile, Payment
from central.reports import center_currency
from terminal.domain.errors import PpmsError
from terminal.domain.money import currency, format_money, parse_money

REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
METER = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,19}")


def _field(body: dict[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise BadRequest(f"{key} is missing or not in its form", field=key)
    return value


def _answer(p: Payment) -> dict[str, Any]:
    return {"payment_id": p.id, "status": p.status, "token": p.token}


def receive(gateway: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest('a payment is {"reference", "meter", "amount", "paid_at"}', field=None)
    reference, meter = _field(body, "reference", REFERENCE), _field(body, "meter", METER)
    paid_at = _field(body, "paid_at", TIME)
    cur = currency(center_currency())
    try:
        amount = parse_money(str(body.get("amount")), cur) if isinstance(body.get("amount"), str) else -1
    except PpmsError:
        amount = -1
    if amount <= 0:
        raise BadRequest("amount must be a positive decimal text such as \"500.00\"", field="amount")
    with central_db.write(Payment._meta.database):
        known = Payment.get_or_none(Payment.reference == reference)
        if known is not None:
            if (known.meter, known.amount, known.gateway) != (meter, amount, gateway):
                raise PaymentConflict(f"reference {reference} was paid before for another meter or amount")
            return _answer(known)
        file = MeterFile.get_or_none(MeterFile.number == meter)
        if file is None:
            raise NotFound(f"no meter {meter} is known to the center")
        if file.carrier != "card":
            raise PaymentMeterUnsupported(f"meter {meter} is an {file.carrier} meter: the center cannot vend "
                                          "its token yet")
        p = Payment.create(id=str(uuid.uuid4()), reference=reference, gateway=gateway, meter=meter, amount=amount,
                           paid_at=paid_at, status="waiting", created_at=now_text())
        Change.insert(kind="payment", created_at=now_text(), data=json.dumps(
            {"payment_id": p.id, "reference": reference, "meter": meter, "amount": format_money(amount, cur),
             "paid_at": paid_at}, sort_keys=True)).execute()
        return _answer(p)
