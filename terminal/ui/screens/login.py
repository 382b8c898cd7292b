"""Login: operator name and password (the hardware or Kivy keyboard), the language."""
from __future__ import annotations

from kivy.properties import StringProperty

from terminal.services import auth
from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)


class LoginScreen(KioskScreen):
    message = StringProperty("")

    def on_pre_enter(self, *_: object) -> None:
        self.ids.password.text = ""
        self.message = ""

    def submit(self) -> None:
        app = self.kiosk
        username, password = self.ids.username.text.strip(), self.ids.password.text
        if not username or not password:
            self.message = app.t("Enter your operator name and password.")
            return
        ctx = app.ctx

        def done(session: auth.Session) -> None:
            self.ids.password.text = ""
            app.logged_in(session)
        app.call(lambda: auth.login(ctx, username, password), done, back="login")


SCREEN = LoginScreen
