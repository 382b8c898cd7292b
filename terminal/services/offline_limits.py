"""Offline limits from the center (docs/sync.md): past the longest time without a sync, or
with more money sold since the last sync than the center allows, a sale is refused with
OFFLINE_LIMIT_REACHED before anything is stored. The money sold since the last sync
is that of the sales the center has not acknowledged yet (their outbox rows unsent). A terminal that has never heard the
center's limits (never synced) has none."""
from __future__ import annotations

from datetime import datetime, timedelta

from terminal.domain.money import Currency, format_money
from terminal.ledger import sync_state as keys
from terminal.services.context import Context
from terminal.services.errors import OfflineLimitReached


def check(ctx: Context, tendered: int, cur: Currency) -> None:
    with ctx.ledger.read() as r:
        state = r.sync.values()
        last = state.get(keys.LAST_OK)
        hours, amount = state.get(keys.MAX_HOURS), state.get(keys.MAX_AMOUNT)
        sold = r.sync.unsent_tendered() if last is not None and amount is not None else 0
    if last is None:
        return
    if hours is not None and ctx.now() - datetime.fromisoformat(last) > timedelta(hours=int(hours)):
        raise OfflineLimitReached(f"this terminal has not reached the center since {last} (at most {hours} h "
                                  "offline): sync it (`ppms sync now`) before selling", limit="max_hours",
                                  last_sync=last)
    if amount is not None and sold + tendered > int(amount):
        raise OfflineLimitReached(f"{format_money(sold, cur)} sold since the last sync ({last}); this sale would "
                                  f"pass the offline limit of {format_money(int(amount), cur)}: sync the terminal "
                                  "before selling", limit="max_amount", last_sync=last)
