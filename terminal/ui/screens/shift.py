"""The cashier's shift: open it with the float in the drawer, close it with the cash counted
(`shifts.open_shift`, `shifts.close_shift`); the close shows what the ledger expected, what
was counted and the difference (flagged over the terminal's limit for a supervisor)."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from terminal.services import shifts
from terminal.services.errors import ShiftNotOpen
from terminal.ui.office import OfficeScreen
from terminal.ui.screens import load_kv

load_kv(__file__)


def open_shift_of(ctx: Any, session: Any) -> dict[str, Any] | None:
    try:
        return shifts.show(ctx, session)
    except ShiftNotOpen:
        return None


class ShiftScreen(OfficeScreen):
    state = StringProperty("")   # "open": a shift is open; "none": none (yet)

    def on_pre_enter(self, *_: object) -> None:
        self.clear()
        self.state = ""
        self.activate(self.ids.amount)
        ctx, session = self.kiosk.ctx, self.kiosk.session
        self.run(lambda: open_shift_of(ctx, session), self.current)

    def current(self, shift: dict[str, Any] | None) -> None:
        app = self.kiosk
        self.state = "open" if shift else "none"
        if shift is None:
            self.notice = app.t("No shift is open. Count the float in the drawer and open the shift.")
            return
        self.notice = app.t("Count the cash in the drawer and close the shift.")
        self.show_rows([(app.t("Shift open since"), self.when(shift["opened_at"])),
                        (app.t("Float"), self.money(shift["float"]))])
        self.activate(self.ids.amount)

    def open_shift(self) -> None:
        self._call(shifts.open_shift)

    def close_shift(self) -> None:
        self._call(shifts.close_shift)

    def _call(self, action: Any) -> None:
        app = self.kiosk
        amount = self.ids.amount.value.strip()
        if not amount:
            self.notice = app.t("Type the amount counted.")
            return
        ctx, session = app.ctx, app.session
        self.run(lambda: action(ctx, session, amount), self.done)

    def done(self, shift: dict[str, Any]) -> None:
        app = self.kiosk
        self.ids.amount.value = ""
        if shift["status"] == "open":
            self.state = "open"
            self.notice = app.t("The shift is open.")
            self.show_rows([(app.t("Shift open since"), self.when(shift["opened_at"])),
                            (app.t("Float"), self.money(shift["float"]))])
            return
        self.state = "none"
        self.notice = app.t("The shift is closed.")
        rows = [(app.t("Float"), self.money(shift["float"])), (app.t("Cash taken"), self.money(shift["cash_in"])),
                (app.t("Expected in the drawer"), self.money(shift["expected"])),
                (app.t("Counted"), self.money(shift["counted"])),
                (app.t("Difference"), self.money(shift["difference"]))]
        if shift["flagged"]:
            self.notice = app.t("Closed: the difference is over the limit, a supervisor signs the shift off.")
        self.show_rows(rows, strong=frozenset({4}))


SCREEN = ShiftScreen
