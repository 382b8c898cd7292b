"""Search: customers and their meters (by meter number or the start of the name) or sales
(by meter), newest first, one page (`search.search`)."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from terminal.services import search
from terminal.ui.office import OfficeScreen
from terminal.ui.screens import load_kv

load_kv(__file__)

PAGE = 30


class SearchScreen(OfficeScreen):
    kind = StringProperty("meters")   # "meters" (customers and meters) or "sales"

    def on_pre_enter(self, *_: object) -> None:
        self.clear()
        self.activate(self.ids.meter)

    def choose(self, kind: str) -> None:
        self.kind = kind

    def submit(self) -> None:
        app = self.kiosk
        meter = self.ids.meter.value.strip() or None
        name = self.ids.name.text.strip() or None
        kind = self.kind
        ctx, session = app.ctx, app.session

        def done(found: dict[str, Any]) -> None:
            rows = [self.row(kind, item) for item in found["items"]]
            shown = len(rows)
            self.notice = (app.t("Nothing found.") if not rows else
                           f"{app.t('Found')}: {found['total']}" + (f" ({app.t('first')} {shown})"
                                                                  if found["total"] > shown else ""))
            self.show_rows(rows)
        self.run(lambda: search.search(ctx, session, kind, meter=meter, name=name, page_size=PAGE), done)

    def row(self, kind: str, item: dict[str, Any]) -> tuple[str, str]:
        app = self.kiosk
        if kind == "meters":
            area = f" · {item['area']}" if item["area"] else ""
            return (f"{item['customer']}  {item['account_no']}\n{app.t('Meter')} {item['meter']}{area}",
                    f"{app.t(item['status'])}\n{item['power_type'] or ''}")
        return (f"{item['receipt_no']}  {self.when(item['sold_at'])}\n{item['meter']} · {item['customer']}",
                f"{self.money(item['tendered'])}\n{item['credit_kwh']} kWh · {app.t(item['status'])}")


SCREEN = SearchScreen
