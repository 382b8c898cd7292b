"""The center's feed applied through the same services as a local change (docs/sync.md):

    tariff      {"toml": text}: `setup.import_tariff`, validated exactly as `ppms tariff import`
    parameter   {"key": "sale.max_tender", "value": "..."}: a ledger parameter (minor units)
    meter, customer, blacklist, operator: the master data of `sync_master`
    payment     a bank payment waiting for a card meter, or applied elsewhere (`bank_payments.receive`)

The changes run as the operator ``center`` (the terminal's first administrator's row, with
every permission), so the diary names the center as their author. A kind this terminal does
not apply is refused (FEED_CHANGE_UNSUPPORTED); the agent records the refusal and moves on.
"""
from __future__ import annotations

from typing import Any

from terminal.ledger import Fact
from terminal.ledger.meta import MAX_TENDER
from terminal.services import bank_payments, setup, sync_master
from terminal.services.auth import ALL, Session
from terminal.services.context import Context
from terminal.services.errors import FeedChangeUnsupported, InvalidArgument, NotInitialised

PARAMETERS = (MAX_TENDER,)
CENTER = "center"
MASTER = {"meter": sync_master.meter, "customer": sync_master.customer, "blacklist": sync_master.blacklist,
          "operator": sync_master.operator}


def center_session(ctx: Context) -> Session:
    with ctx.ledger.read() as r:
        admin = r.operators.by_username("admin")
    if admin is None:
        raise NotInitialised("this terminal has no admin operator: run `ppms init`")
    return Session(admin.id, CENTER, "system", frozenset(p.value for p in ALL))


def apply(ctx: Context, kind: str, data: dict[str, Any]) -> None:
    if kind == "tariff":
        text = data.get("toml")
        if not isinstance(text, str):
            raise InvalidArgument("a tariff change holds its sheet as TOML text", key="toml")
        setup.import_tariff(ctx, center_session(ctx), text)
    elif kind == "parameter":
        key, value = data.get("key"), data.get("value")
        if key not in PARAMETERS or not isinstance(value, str) or not value.isdigit() or len(value) > 15:
            raise InvalidArgument(f"parameter {key!r} is not one the center may set ({', '.join(PARAMETERS)}, "
                                  "a whole number)", key="parameter")
        at = ctx.now_iso()
        with ctx.ledger.unit_of_work() as uow:
            before = uow.meta.get(str(key))
            uow.meta.put(str(key), value)
            uow.record(Fact("parameter.set", f"parameter:{key}", CENTER, at, before=before, after=value))
    elif kind == "payment":
        bank_payments.receive(ctx, data)
    elif kind in MASTER:
        MASTER[kind](ctx, center_session(ctx), data)
    else:
        raise FeedChangeUnsupported(f"this terminal does not apply {kind!r} changes from the feed", kind=kind)
