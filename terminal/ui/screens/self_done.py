"""Self-service done: the sale (receipt number, energy, token) or, when the sale could not be
made, the money kept as credit for the next purchase; back to the start after a while."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from terminal.ui import i18n
from terminal.ui.errors import device_words
from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)


class SelfDoneScreen(KioskScreen):
    headline = StringProperty("")
    detail = StringProperty("")

    def on_pre_enter(self, *_: object) -> None:
        app = self.kiosk
        out: dict[str, Any] = app.sale or {}
        sale, held = out.get("sale"), out.get("cash_held")
        if out.get("status") == "completed" and sale:
            self.headline = app.t("Thank you: your card is written")
            token = f"\n{app.t('Token')}: {i18n.token_groups(sale['token'])}" if sale.get("token") else ""
            self.detail = (f"{app.t('Receipt')} {sale['receipt_no']}\n{sale['credit_kwh']} kWh · "
                           f"{app.money(sale['tendered'])}{token}")
        elif out.get("status") == "cash_held" and held:
            self.headline = app.t("Your money is safe")
            kept = app.t("is kept on your account as credit for your next purchase.")
            self.detail = f"{app.money(held['amount'])} {kept}\n{(out.get('refusal') or {}).get('message', '')}"
        else:
            self.headline = app.t("Your purchase is waiting")
            self.detail = app.t("Put your card back in the reader to finish it, or ask the office.")
        problem = (out.get("cash") or {}).get("problem")
        words = device_words(problem["code"]) if problem else None
        if words is not None:   # a jam, the cash box out: the money counted is safe, staff are needed
            self.detail += f"\n{app.t(words[0])}. {app.t(words[1])}"
        self.timer = app.after(app.setup.done_timeout_s, self.back_to_start)

    def on_leave(self, *_: object) -> None:
        self.timer.cancel()

    def back_to_start(self) -> None:
        if self.kiosk.screen == "self_done":
            self.kiosk.show("self_start")


SCREEN = SelfDoneScreen
