"""Home: one big button per function the operator's permissions allow (only functions the
kiosk has), the language (stored as the operator's), and sign out. A card put in the
reader here starts a sale at once."""
from __future__ import annotations

from terminal.services import kiosk
from terminal.services.ports import CardInserted, DeviceEvent
from terminal.ui.screens import KioskScreen, load_kv
from terminal.ui.widgets import KButton

load_kv(__file__)

LABELS = {"sell": "Sell power", "register": "Register a customer", "search": "Search",
          "statement": "Account statement", "reading": "Meter reading", "shift": "My shift",
          "daily": "Daily report"}


class HomeScreen(KioskScreen):
    def on_pre_enter(self, *_: object) -> None:
        app = self.kiosk
        box = self.ids.menu
        box.clear_widgets()
        if app.session is None:
            return
        entries = kiosk.menu(app.session)
        box.cols = 2 if len(entries) <= 4 else 3
        for entry in entries:
            button = KButton(kid=f"home.{entry}", role="primary" if entry == "sell" else "normal",
                             text=app.t(LABELS.get(entry, entry)))
            button.bind(on_release=lambda _b, name=entry: self.open(name))
            box.add_widget(button)

    def on_lang(self) -> None:
        if self.kiosk.screen == "home":
            self.on_pre_enter()

    def open(self, name: str) -> None:
        app = self.kiosk
        app.new_sale()
        app.show(name)

    def on_device(self, event: DeviceEvent) -> None:
        if isinstance(event, CardInserted) and "sell" in kiosk.menu(self.kiosk.session):
            self.open("sell")


SCREEN = HomeScreen
