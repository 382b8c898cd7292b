"""Sell: the card in the reader is read at once and its customer shown (credit, arrears,
carry-over, last purchase); the meter number (for a keypad meter), the amount or the kWh
typed on the keypad; "Quote" shows the confirm screen. Nothing is committed here."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from terminal.services import kiosk, selling
from terminal.services.errors import DeviceAbsent
from terminal.services.ports import CardInserted, CardRemoved, DeviceEvent
from terminal.ui import i18n
from terminal.ui.screens import KioskScreen, load_kv
from terminal.ui.widgets import KField

load_kv(__file__)

CardTakenOut = DeviceAbsent.for_code("CARD_REMOVED")


class SellScreen(KioskScreen):
    message = StringProperty("")
    recovered = ""   # what recovering a waiting sale did, shown with the customer
    name_text = StringProperty("")
    account_text = StringProperty("")
    arrears_text = StringProperty("")
    carry_text = StringProperty("")
    last_text = StringProperty("")
    credit_text = StringProperty("")

    def on_kv_post(self, *_: object) -> None:
        self.ids.amount.bind(value=lambda _f, v: v and self.ids.kwh.setter("value")(self.ids.kwh, ""))
        self.ids.kwh.bind(value=lambda _f, v: v and self.ids.amount.setter("value")(self.ids.amount, ""))

    def on_pre_enter(self, *_: object) -> None:
        app = self.kiosk
        if app.customer is None:
            for f in (self.ids.meter, self.ids.amount, self.ids.kwh):
                f.value = ""
            self.show_customer(None)
            if app.card_present:
                self.read_card()
        self.activate(self.ids.amount)

    def activate(self, field: KField) -> None:
        for f in (self.ids.meter, self.ids.amount, self.ids.kwh):
            f.active = f is field
        self.ids.keypad.target = field

    # -- the customer ---------------------------------------------------------------------
    def read_card(self) -> None:
        app = self.kiosk
        ctx, session = app.ctx, app.session
        app.call(lambda: kiosk.card_customer(ctx, session), self.card_read, back="sell")

    def card_read(self, customer: dict[str, Any]) -> None:
        if customer.get("pending"):
            self.recover(customer["meter"])
            return
        self.kiosk.customer = customer | {"from_card": True}
        self.ids.meter.value = customer["meter"]
        self.show_customer(customer)
        self.message = self.recovered
        self.recovered = ""

    def recover(self, meter: str) -> None:
        """A sale the card was pulled from: the card is back, so read it and decide the sale
        (completed when the card holds it, undone when not, else left for a supervisor)."""
        app = self.kiosk
        ctx, session = app.ctx, app.session

        def done(outcome: list[dict[str, Any]]) -> None:
            self.recovered = "\n".join(self.recovered_words(o) for o in outcome)
            app.call(lambda: kiosk.card_customer(ctx, session), self.shown_after_recovery, back="sell")
        app.call(lambda: selling.recover(ctx, session, meter_no=meter), done, back="sell")

    def shown_after_recovery(self, customer: dict[str, Any]) -> None:
        if customer.get("pending"):   # still undecided: a supervisor decides it
            self.kiosk.customer = customer | {"from_card": True}
            self.show_customer(customer)
            self.message = self.recovered
            return
        self.card_read(customer)

    def recovered_words(self, outcome: dict[str, Any]) -> str:
        app = self.kiosk
        words = {"completed": "The waiting sale is finished: the card holds it.",
                 "voided": "The waiting sale was undone: it never reached the card. Sell again."}
        said = words.get(outcome.get("action", ""), "The waiting sale cannot be decided here: ask a supervisor.")
        return f"{outcome.get('receipt_no', '')}: {app.t(said)}"

    def show_customer(self, c: dict[str, Any] | None) -> None:
        app = self.kiosk
        self.message = "" if c else app.t("Insert the customer's card, or type a keypad meter's number.")
        self.name_text = c["customer"] if c else ""
        self.account_text = f"{c['account_no']}  ·  {app.t('Meter')} {c['meter']}" if c else ""
        self.arrears_text = app.money(c["arrears"]) if c else ""
        self.carry_text = app.money(c["carry_over"]) if c else ""
        last = c and c.get("last_purchase")
        self.last_text = (f"{i18n.when(app.lang, last['sold_at'])}  {app.money(last['tendered'])}  "
                          f"{last['credit_kwh']} kWh") if last else (app.t("none") if c else "")
        credit = c and c.get("card_credit_kwh")
        self.credit_text = f"{credit} kWh" if credit else (app.t("unknown") if c else "")

    def on_device(self, event: DeviceEvent) -> None:
        app = self.kiosk
        if isinstance(event, CardInserted):
            app.new_sale()
            self.read_card()
        elif isinstance(event, CardRemoved) and app.customer and app.customer.get("from_card"):
            app.new_sale()
            self.on_pre_enter()
            app.fail(CardTakenOut("The card was taken out before the sale."), back="sell")

    # -- the quote ------------------------------------------------------------------------
    def ask_quote(self) -> None:
        app = self.kiosk
        meter = self.ids.meter.value.strip()
        amount, kwh = self.ids.amount.value.strip(), self.ids.kwh.value.strip()
        if not meter:
            self.message = app.t("Insert the customer's card, or type a keypad meter's number.")
            self.activate(self.ids.meter)
            return
        if not amount and not kwh:
            self.message = app.t("Type the amount paid, or the kWh wanted.")
            return
        ctx, session, known = app.ctx, app.session, app.customer

        def task() -> tuple[dict[str, Any], dict[str, Any]]:
            customer = known if known and known["meter"] == meter else kiosk.customer(ctx, session, meter)
            quote = selling.quote(ctx, session, meter, amount=amount or None, kwh=kwh or None)
            return customer, quote

        def done(result: tuple[dict[str, Any], dict[str, Any]]) -> None:
            app.customer, app.quote = result
            self.show_customer(app.customer)
            app.show("sell_confirm")
        app.call(task, done, back="sell")


SCREEN = SellScreen
