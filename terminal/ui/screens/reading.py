"""Reading entry: a meter's register read by hand (total kWh, and the credit it shows when
it shows one), checked against its history (`meter_readings.add_reading`): the answer shows
the consumption since the last reading and any anomaly found."""
from __future__ import annotations

from typing import Any

from terminal.services import meter_readings
from terminal.ui.office import OfficeScreen
from terminal.ui.screens import load_kv

load_kv(__file__)


class ReadingScreen(OfficeScreen):
    def on_pre_enter(self, *_: object) -> None:
        self.clear()
        self.activate(self.ids.meter)

    def submit(self) -> None:
        app = self.kiosk
        meter, kwh = self.ids.meter.value.strip(), self.ids.kwh.value.strip()
        remaining = self.ids.remaining.value.strip() or None
        if not meter or not kwh:
            self.notice = app.t("Type the meter number and the total kWh it shows.")
            return
        ctx, session = app.ctx, app.session
        self.run(lambda: meter_readings.add_reading(ctx, session, meter, kwh, remaining), self.recorded)

    def recorded(self, r: dict[str, Any]) -> None:
        app = self.kiosk
        for f in self.fields():
            f.value = ""
        self.notice = f"{app.t('Reading recorded')}: {app.t('Meter')} {r['meter']}"
        rows = [(app.t("Read at"), self.when(r["read_at"])), (app.t("Total"), f"{r['total_kwh']} kWh")]
        if r["remaining_kwh"] is not None:
            rows.append((app.t("Credit left on the meter"), f"{r['remaining_kwh']} kWh"))
        if r["consumption"]:
            rows.append((f"{app.t('Used since')} {self.when(r['consumption']['since'])}",
                         f"{r['consumption']['kwh']} kWh"))
        flags = [app.t(f) for f in r["flags"]]
        rows.append((app.t("Checks"), ", ".join(flags) if flags else app.t("nothing unusual")))
        self.show_rows(rows, strong=frozenset({len(rows) - 1}) if flags else frozenset())


SCREEN = ReadingScreen
