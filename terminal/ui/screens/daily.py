"""The daily report on screen (`reporting.daily_report`): the day's sales, reversals, money
held and arrears added, what is voided or still pending, and the net takings; the day
before and after with a tap."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kivy.properties import StringProperty

from terminal.services import reporting
from terminal.ui.office import OfficeScreen
from terminal.ui.screens import load_kv

load_kv(__file__)


class DailyScreen(OfficeScreen):
    day = StringProperty("")

    def on_pre_enter(self, *_: object) -> None:
        self.clear()
        self.load(None)

    def load(self, day: str | None) -> None:
        ctx, session = self.kiosk.ctx, self.kiosk.session
        self.run(lambda: reporting.daily_report(ctx, session, day), self.shown)

    def step(self, days: int) -> None:
        if self.day:
            self.load((date.fromisoformat(self.day) + timedelta(days=days)).isoformat())

    def shown(self, rep: dict[str, Any]) -> None:
        app = self.kiosk
        self.day = rep["date"]
        sales, rev, net = rep["sales"], rep["reversals"], rep["net"]
        rows = [(f"{app.t('Sales')} ({sales['count']})", self.money(sales["tendered"])),
                (app.t("Energy sold"), f"{sales['kwh']} kWh"),
                (app.t("Fixed charges"), self.money(sales["fixed"])),
                (app.t("Debt recovered"), self.money(sales["debt_recovered"])),
                (app.t("VAT"), self.money(sales["vat"])),
                (f"{app.t('Reversals')} ({rev['count']})", self.money(rev["tendered"])),
                (f"{app.t('Cash held for customers')} ({rep['cash_held']['count']})",
                 self.money(rep["cash_held"]["amount"])),
                (f"{app.t('Arrears added')} ({rep['arrears_added']['count']})",
                 self.money(rep["arrears_added"]["amount"])),
                (app.t("Sales voided"), str(rep["voided"])),
                (app.t("Sales pending (to recover)"), str(rep["pending"])),
                (app.t("Net energy"), f"{net['kwh']} kWh"),
                (app.t("Net takings"), self.money(rep["net_takings"]))]
        self.show_rows(rows, strong=frozenset({0, len(rows) - 1}))


SCREEN = DailyScreen
