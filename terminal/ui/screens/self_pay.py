"""Self-service payment: the acceptor takes notes up to the amount, each note counted on
screen as the cash box reports it. "Done" ends the intake and sells exactly what was
counted; so does the acceptor's idle timeout. "Cancel" with nothing inserted sells nothing;
money already in the cash box can never be handed back, so it is sold too, or, when the
sale cannot be made (the card taken out), kept as the customer's carry-over
(`kiosk.sell_cash`): inserted money is never lost."""
from __future__ import annotations

import threading
from typing import Any

from kivy.properties import StringProperty

from terminal.services import kiosk
from terminal.services.ports import DeviceEvent, NoteCredited, NoteRejected
from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)


def minor_text(minor: int, decimals: int = 2) -> str:
    whole, rest = divmod(minor, 10 ** decimals)
    return f"{whole}.{rest:0{decimals}d}" if decimals else str(whole)


class SelfPayScreen(KioskScreen):
    due = StringProperty("")
    counted = StringProperty("")
    notes = StringProperty("")

    def on_pre_enter(self, *_: object) -> None:
        app = self.kiosk
        self.total = 0
        self.taken: list[str] = []
        self.due = app.money(app.quote["amount"])
        self.counted, self.notes = app.money("0.00"), ""
        self.stop_intake = threading.Event()
        ctx, session, meter, amount = app.ctx, app.session, app.quote["meter"], app.quote["amount"]
        stop = self.stop_intake
        app.call(lambda: kiosk.sell_cash(ctx, session, meter, amount, cancel=stop), self.paid, back="self_start",
                 settles=False)

    def on_device(self, event: DeviceEvent) -> None:
        app = self.kiosk
        if isinstance(event, NoteCredited):
            self.total += event.value
            self.taken.append(app.money(minor_text(event.value)))
            self.counted = app.money(minor_text(self.total))
            self.notes = "  +  ".join(self.taken)
        elif isinstance(event, NoteRejected):
            self.notes = (self.notes + "\n" if self.notes else "") + app.t("Note given back: try another note.")

    def finish(self) -> None:
        self.stop_intake.set()

    def paid(self, outcome: dict[str, Any]) -> None:
        app = self.kiosk
        app.sale = outcome
        app.show("self_start" if outcome["status"] == "no_sale" else "self_done")


SCREEN = SelfPayScreen
