"""A calm screen for every error: what happened, the service's own words, what to do next."""
from __future__ import annotations

from kivy.properties import StringProperty

from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)


class ErrorScreen(KioskScreen):
    title_text = StringProperty("")
    message = StringProperty("")
    advice = StringProperty("")
    code = StringProperty("")

    def ok(self) -> None:
        app = self.kiosk
        back = app.error_back if app.error_back in app.screen_names else app.start_screen()
        if back in ("home", "sell", "sell_confirm", "sell_done") and app.session is None:
            back = app.start_screen()
        app.show(back)


SCREEN = ErrorScreen
