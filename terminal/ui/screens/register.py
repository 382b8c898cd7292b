"""Register: a new customer with a card meter, installed at once when the operator may
install (`registration.register`); the power type chosen from the tariff book. The answer
shows the customer's account number. STS meters need their key settings: `ppms customer
register` at the office computer."""
from __future__ import annotations

from typing import Any

from terminal.services import kiosk_office, registration
from terminal.services.auth import Permission
from terminal.ui.office import OfficeScreen
from terminal.ui.screens import load_kv
from terminal.ui.widgets import KButton

load_kv(__file__)


class RegisterScreen(OfficeScreen):
    def on_pre_enter(self, *_: object) -> None:
        self.clear()
        self.chosen = ""
        self.notice = self.kiosk.t("Type the customer's name and address, then the meter number.")
        ctx, session = self.kiosk.ctx, self.kiosk.session
        self.run(lambda: kiosk_office.power_types(ctx, session), self.show_power_types)

    def show_power_types(self, kinds: list[dict[str, str]]) -> None:
        box = self.ids.power_types
        box.clear_widgets()
        for kind in kinds[:4]:
            button = KButton(kid=f"register.power_{kind['code']}", text=kind["code"], font_size="20sp")
            button.bind(on_release=lambda _b, code=kind["code"]: self.choose(code))
            box.add_widget(button)
        if len(kinds) == 1:
            self.choose(kinds[0]["code"])

    def choose(self, code: str) -> None:
        self.chosen = code
        for button in self.ids.power_types.children:
            button.role = "primary" if button.text == code else "normal"

    def submit(self) -> None:
        app = self.kiosk
        name, address = self.ids.name.text.strip(), self.ids.address.text.strip()
        meter, phone = self.ids.meter.value.strip(), self.ids.phone.value.strip() or None
        if not name or not address or not meter:
            self.notice = app.t("The name, the address and the meter number are needed.")
            return
        if not self.chosen:
            self.notice = app.t("Choose the power type.")
            return
        ctx, session, power_type = app.ctx, app.session, self.chosen
        install = Permission.INSTALLATION.value in session.permissions

        def done(shown: dict[str, Any]) -> None:
            self.clear()
            self.notice = f"{app.t('Registered')}: {shown['customer']['account_no']}"
            self.show_rows([(app.t("Account"), shown["customer"]["account_no"]),
                            (app.t("Customer"), shown["customer"]["name"]),
                            (app.t("Meter"), shown["meter"]["number"]),
                            (app.t("Status"), app.t(shown["meter"]["status"]))], strong=frozenset({0}))
        self.run(lambda: registration.register(ctx, session, name, address, meter, power_type, phone=phone,
                                               install=install), done)


SCREEN = RegisterScreen
