"""Confirm: the vend breakdown of the quote (money in, carry-over spent, each deduction, the
energy, the change carried) before anything is committed; "Confirm" sells, writes the card
and prints the receipt, "Cancel" goes back with nothing done."""
from __future__ import annotations

from typing import Any

from kivy.factory import Factory

from terminal.services import selling
from terminal.services.errors import DeviceAbsent
from terminal.services.ports import CardRemoved, DeviceEvent
from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)

LINE_NAMES = {"fixed": "Fixed charge", "debt": "Debt recovery", "vat": "VAT", "free": "Free energy",
              "carry_over": "Change carried"}


def breakdown(app: Any, quote: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of selling.md's vend breakdown, in the calculation's order."""
    rows = [(app.t("Money in"), app.money(quote["tendered"]))]
    if quote["carry_over_used"] not in ("0", "0.00"):
        rows.append((app.t("Carry-over spent"), app.money(quote["carry_over_used"])))
    for line in quote["lines"]:
        kind = line["kind"]
        if kind == "carry_over":
            continue
        if kind == "energy":
            label = f"{app.t('Energy')} {line['power_type']} {app.t('block')} {line['block']} · {line['sub_item']}"
            label += f" ({line['kwh']} kWh)"
        elif kind == "fixed" and quote.get("months_charged"):
            label = f"{app.t('Fixed charge')} × {quote['months_charged']}"
        else:
            label = app.t(LINE_NAMES.get(kind, kind))
        if kind != "energy" and line["amount"].strip("0.") == "":
            continue   # no fixed month charged, no debt recovered: not a deduction
        rows.append((label, "−" + app.money(line["amount"])))
    rows.append((app.t("Energy"), f"{quote['credit_kwh']} kWh"))
    if quote["free_kwh"] not in ("0", "0.00"):
        rows.append((app.t("of which free"), f"{quote['free_kwh']} kWh"))
    rows.append((app.t("Change carried"), app.money(quote["change_carried"])))
    return rows


class SellConfirmScreen(KioskScreen):
    def on_pre_enter(self, *_: object) -> None:
        app = self.kiosk
        table = self.ids.rows
        table.clear_widgets()
        c, q = app.customer, app.quote
        self.ids.who.text = f"{c['customer']}  ·  {app.t('Meter')} {c['meter']}" if c else ""
        if q is None:
            return
        rows = breakdown(app, q)
        for i, (label, value) in enumerate(rows):
            strong = i == 0 or i >= len(rows) - 2
            for text, align in ((label, "left"), (value, "right")):
                table.add_widget(Factory.BreakdownRow(text=text, halign=align, bold=strong,
                                                      font_size="22sp" if strong else "19sp"))

    def confirm(self) -> None:
        app = self.kiosk
        ctx, session, meter, amount = app.ctx, app.session, app.quote["meter"], app.quote["tendered"]
        printing = ctx.printer is not None

        def done(sale: dict[str, Any]) -> None:
            app.sale = sale
            app.show("sell_done")
        app.call(lambda: selling.sell(ctx, session, meter, amount, print_receipt=printing), done, back="sell")

    def cancel(self) -> None:
        self.kiosk.quote = None
        self.kiosk.show("sell")

    def on_device(self, event: DeviceEvent) -> None:
        app = self.kiosk
        if isinstance(event, CardRemoved) and not app.busy and app.customer and app.customer.get("from_card"):
            app.new_sale()
            app.fail(DeviceAbsent.for_code("CARD_REMOVED")("The card was taken out before the sale was "
                                                          "confirmed."), back="sell")


SCREEN = SellConfirmScreen
