"""Login: operator name and password (the hardware or Kivy keyboard), the language of the
login screen; once signed in, the operator's own stored language applies."""
from __future__ import annotations

from kivy.properties import StringProperty

from terminal.services import auth, kiosk_office
from terminal.ui.screens import KioskScreen, load_kv

load_kv(__file__)


class LoginScreen(KioskScreen):
    message = StringProperty("")

    def on_pre_enter(self, *_: object) -> None:
        self.ids.username.text = ""   # signed out: the next operator signs in
        self.ids.password.text = ""
        self.message = ""

    def submit(self) -> None:
        app = self.kiosk
        username, password = self.ids.username.text.strip(), self.ids.password.text
        if not username or not password:
            self.message = app.t("Enter your operator name and password.")
            return
        ctx = app.ctx

        def task() -> tuple[auth.Session, str | None]:
            session = auth.login(ctx, username, password)
            return session, kiosk_office.language(ctx, session)

        def done(result: tuple[auth.Session, str | None]) -> None:
            self.ids.password.text = ""
            app.logged_in(*result)
        app.call(task, done, back="login")


SCREEN = LoginScreen
