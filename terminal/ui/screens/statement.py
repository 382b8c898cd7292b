"""A meter's account statement: every posting on its customer's account with the running
balance (carry-over less arrears) and the energy credited (`account_books.statement`)."""
from __future__ import annotations

from typing import Any

from terminal.services import account_books
from terminal.ui.office import OfficeScreen
from terminal.ui.screens import load_kv

load_kv(__file__)

#: the posting kinds of the statement, as the screen names them
KINDS = {"sale": "Sale", "reversal": "Reversal", "debt": "Debt added", "cash_held": "Money kept as credit",
         "transfer": "Transfer"}


class StatementScreen(OfficeScreen):
    def on_pre_enter(self, *_: object) -> None:
        self.clear()
        self.activate(self.ids.meter)

    def submit(self) -> None:
        app = self.kiosk
        meter = self.ids.meter.value.strip()
        if not meter:
            self.notice = app.t("Type the meter number.")
            return
        ctx, session = app.ctx, app.session
        self.run(lambda: account_books.statement(ctx, session, meter), self.shown)

    def shown(self, s: dict[str, Any]) -> None:
        app = self.kiosk
        self.notice = f"{s['customer']} · {s['account_no']}"
        rows = [(app.t("Opening balance"), self.money(s["opening_balance"]))]
        for e in s["events"]:
            what = f"{self.when(e['at'])}  {app.t(KINDS.get(e['kind'], e['kind']))}"
            if e["receipt_no"]:
                what += f"  {e['receipt_no']}"
            if e["kwh"] not in ("0", "0.00"):
                what += f"  {e['kwh']} kWh"
            rows.append((what, f"{self.money(e['change'])}\n= {self.money(e['balance'])}"))
        rows += [(app.t("Balance now"), self.money(s["closing_balance"])),
                 (app.t("Energy credited"), f"{s['kwh_credited']} kWh")]
        self.show_rows(rows, strong=frozenset({0, len(rows) - 2}))


SCREEN = StatementScreen
