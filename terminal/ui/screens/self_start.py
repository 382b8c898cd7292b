"""Self-service start: insert your card -> your meter, credit and arrears; type what you will
pay on the keypad; "Pay" opens the note acceptor."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from terminal.services import kiosk
from terminal.services.ports import CardInserted, CardRemoved, DeviceEvent
from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)


class SelfStartScreen(KioskScreen):
    who = StringProperty("")
    balances = StringProperty("")

    def on_pre_enter(self, *_: object) -> None:
        app = self.kiosk
        app.new_sale()
        self.ids.amount.value = ""
        self.ids.amount.active = True
        self.ids.keypad.target = self.ids.amount
        self.show(None)
        if app.card_present:
            self.read_card()

    def read_card(self) -> None:
        app = self.kiosk
        ctx, session = app.ctx, app.session
        app.call(lambda: kiosk.card_customer(ctx, session), self.card_read, back="self_start")

    def card_read(self, customer: dict[str, Any]) -> None:
        self.kiosk.customer = customer | {"from_card": True}
        self.show(customer)

    def show(self, c: dict[str, Any] | None) -> None:
        app = self.kiosk
        if c is None:
            self.who, self.balances = app.t("Insert your card to buy electricity."), ""
            return
        self.who = f"{c['customer']}  ·  {app.t('Meter')} {c['meter']}"
        credit = c.get("card_credit_kwh")
        self.balances = (f"{app.t('Credit on card')}: {credit + ' kWh' if credit else app.t('unknown')}\n"
                         f"{app.t('Arrears')}: {app.money(c['arrears'])}    "
                         f"{app.t('Carry-over')}: {app.money(c['carry_over'])}")

    def on_device(self, event: DeviceEvent) -> None:
        if isinstance(event, CardInserted):
            self.read_card()
        elif isinstance(event, CardRemoved):
            self.kiosk.new_sale()
            self.show(None)

    def start(self) -> None:
        app = self.kiosk
        if app.customer is None:
            self.who = app.t("Insert your card to buy electricity.")
            return
        if not self.ids.amount.value:
            self.balances = app.t("Type how much you will pay, then press Pay.")
            return
        app.quote = {"meter": app.customer["meter"], "amount": self.ids.amount.value}
        app.show("self_pay")


SCREEN = SelfStartScreen
