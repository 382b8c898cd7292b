"""STS engineering: management tokens and key changes for registered keypad meters.

Each token is recorded (sts_token), diarised and sent to the center. Making them
needs the `engineering_tokens` permission; a key change also changes the meter's
STS settings (its SGC, tariff index, key revision or base date), with the old and
new settings in the diary.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sync.device_records import StsKeyChangeRecord, StsTokenRecord
from sync.records import StsSettings
from terminal.domain.money import format_kwh
from terminal.ledger import Fact, Outgoing
from terminal.ledger.ids import new_id
from terminal.services.auth import Permission, Session
from terminal.services.context import Context
from terminal.services.errors import InvalidArgument
from terminal.services.meter_state import find_meter, meter_ref
from terminal.services.ports import TokenCarrier

STS_KWH_STEP = 10   # a credit token's value counts 0.1 kWh; the ledger's energy counts 0.01 kWh
MANAGEMENT = {"max_power": 0, "clear_credit": 1, "set_tariff_rate": 2, "clear_tamper": 5,
              "phase_unbalance": 6}


def _carrier(ctx: Context, meter_no: str) -> tuple[Any, TokenCarrier]:
    with ctx.ledger.read() as r:
        meter = find_meter(r, meter_no)
    if meter.carrier != "sts":
        raise InvalidArgument(f"meter {meter.number} is not an STS keypad meter", key="meter")
    carrier = ctx.carriers.for_meter(meter_ref(meter))
    return meter, carrier  # type: ignore[return-value]


def management_token(ctx: Context, session: Session, meter_no: str, kind: str, value: int = 0) -> dict[str, Any]:
    session.require(Permission.ENGINEERING_TOKENS)
    if kind not in MANAGEMENT:
        raise InvalidArgument(f"engineering token must be one of {sorted(MANAGEMENT)}", key="kind")
    meter, carrier = _carrier(ctx, meter_no)
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:   # the token engine is pure computation, no device
        token = carrier.management_token(MANAGEMENT[kind], value, ctx.now(), uow.sts_tokens.last_tid(meter.id))
        token_id = uow.sts_tokens.record(meter.id, None, "management", token.token_class, token.subclass,
                                         token.tid, token.value, token.digits, at, session.operator_id)
        assert token.tid is not None   # a management token always has its token id
        view = {"token_id": token_id, "meter": meter.number, "kind": kind, "value": value,
                "token": token.digits, "tid": token.tid, "class": token.token_class, "subclass": token.subclass}
        uow.record(Fact("sts.engineering_token", f"meter:{meter.number}", session.username, at,
                        after={k: v for k, v in view.items() if k != "token"},
                        outbox=Outgoing("sts_token", token_id, StsTokenRecord(
                            token_id, meter.number, kind, value, token.digits, token.tid, token.token_class,
                            token.subclass))))
    return view


def key_change(ctx: Context, session: Session, meter_no: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Key change tokens for a new SGC, tariff index, key revision or base date (rollover)."""
    session.require(Permission.ENGINEERING_TOKENS)
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise InvalidArgument("say what changes: --sgc, --ti, --krn, --base-date or --ken", key="changes")
    meter, carrier = _carrier(ctx, meter_no)
    old = json.loads(meter.sts or "{}")
    new = carrier.check_settings({**old, **changes})
    at = ctx.now_iso()
    with ctx.ledger.unit_of_work() as uow:
        tokens = carrier.key_change_tokens(new)
        batch = new_id()
        for t in tokens:
            uow.sts_tokens.record(meter.id, None, "key_change", t.token_class, t.subclass, None, None, t.digits, at,
                                  session.operator_id)
        uow.meters.set_sts(meter.id, new)
        view = {"key_change_id": batch, "meter": meter.number, "old": old, "new": new,
                "tokens": [t.digits for t in tokens]}
        uow.record(Fact("sts.key_change", f"meter:{meter.number}", session.username, at, before=old, after=new,
                        outbox=Outgoing("sts_key_change", batch, StsKeyChangeRecord(
                            batch, meter.number, StsSettings(**new), tuple(t.digits for t in tokens),
                            StsSettings(**old) if old else None))))
    return view


def support_token(ctx: Context, session: Session, request: dict[str, Any],
                  make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`ppms sts token`: one token for any meter from a key file, outside the sale flow. A
    credit token is money, so this is an engineering action: the permission first, then
    the token, then the diary (class, subclass, amount, PAN, TID, issue time; never the key
    and never the token's digits) before anyone sees it."""
    session.require(Permission.ENGINEERING_TOKENS)
    made = make()
    with ctx.ledger.unit_of_work() as uow:
        uow.record(Fact("sts.support_token", f"pan:{request['pan']}", session.username, ctx.now_iso(),
                        after={**request, "class": made["class"], "subclass": made["subclass"], "tid": made["tid"]}))
    return made


def tokens(ctx: Context, session: Session, meter_no: str) -> dict[str, Any]:
    """Every token made for the meter. A credit token names its sale as `sale show` does (the
    sale's id and receipt number) and its energy in kWh; a management token keeps its value
    (watts, register or rate, by kind)."""
    session.require(Permission.SEARCH)
    with ctx.ledger.read() as r:
        meter = find_meter(r, meter_no)
        out = []
        for t in r.sts_tokens.for_meter(meter.id):
            internal_id, value = t.pop("sale_id"), t.pop("value")
            if t["kind"] == "credit":
                t["kwh"] = format_kwh(value * STS_KWH_STEP)
            elif value is not None:
                t["value"] = value
            if internal_id is not None:
                rec, _ = r.sales.load(internal_id)
                t |= {"sale_id": rec.uuid, "receipt_no": rec.receipt_no}
            out.append(t)
    return {"meter": meter.number, "tokens": out}
