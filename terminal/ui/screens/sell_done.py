"""Done: the receipt number, the energy, an STS token large in groups of four (as the
customer keys it in), whether the receipt printed; reprint (a COPY) or the next sale."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from terminal.services import receipts
from terminal.ui import i18n
from terminal.ui.errors import device_words
from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)


def printed_words(app: Any, sale: dict[str, Any]) -> str:
    receipt = sale.get("receipt")
    if receipt is None:
        return str(app.t("No receipt printer: the receipt can be printed later."))
    if receipt.get("printed", True) and not receipt.get("queued"):
        return str(app.t("Receipt printed."))
    words = device_words((receipt.get("error") or {}).get("code", ""))
    if words is not None:   # out of paper, offline: what it is and what to do; the sale stands
        return f"{app.t(words[0])}. {app.t(words[1])}"
    return str(app.t("The receipt did not print: it waits in the queue. Check the printer, then reprint."))


class SellDoneScreen(KioskScreen):
    receipt_no = StringProperty("")
    energy = StringProperty("")
    token = StringProperty("")
    printed = StringProperty("")

    def on_pre_enter(self, *_: object) -> None:
        app = self.kiosk
        sale = app.sale or {}
        self.receipt_no = sale.get("receipt_no") or ""
        self.energy = f"{sale.get('credit_kwh', '')} kWh · {app.money(sale.get('tendered'))}"
        self.token = i18n.token_groups(sale["token"]) if sale.get("token") else ""
        self.printed = printed_words(app, sale) if sale else ""

    def reprint(self) -> None:
        app = self.kiosk
        ctx, session, key = app.ctx, app.session, self.receipt_no

        def task() -> dict[str, Any]:
            from terminal.services.selling import find_sale  # noqa: PLC0415
            with ctx.ledger.read() as r:
                sale_id = find_sale(r, key)
            return receipts.print_sale(ctx, session, sale_id, copy=True)

        def done(receipt: dict[str, Any]) -> None:
            self.printed = printed_words(app, {"receipt": receipt})
        app.call(task, done, back="sell_done")

    def next_sale(self) -> None:
        app = self.kiosk
        app.new_sale()
        app.show("sell")


SCREEN = SellDoneScreen
