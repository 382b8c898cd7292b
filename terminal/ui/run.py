"""Start the kiosk app for `ppms kiosk` (Kivy already prepared), play the replay, return
(exit code, message, the screenshots saved)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from kivy.clock import Clock

from terminal import notify
from terminal.bootstrap import App, kiosk_card_events
from terminal.domain.money import currency
from terminal.services.auth import Session
from terminal.ui.app import KioskApp, KioskSetup
from terminal.ui.replay import Replay, ReplayError, load


def kiosk(app: App, mode: str, session: Session | None, cash: Any, replay_file: Path | None, shots: Path,
          exit_when_done: bool, timings: list[float] | None = None) -> tuple[int, str, list[Path]]:
    steps = load(replay_file) if replay_file is not None else []
    slot, watcher = kiosk_card_events(app)
    with app.ledger.read() as r:
        code = r.meta.get("currency") or ""
    setup = KioskSetup(ctx=app.ctx, mode=mode, session=session, card_slot=slot,
                       cash_device=None if cash is None else cash.device,
                       bills=dict(app.settings.cash_acceptor.bills), currency=currency(code).code if code else "")
    ui = KioskApp(setup)
    outcome: dict[str, Any] = {"code": 0, "message": ""}
    saved: list[Path] = []

    def finish(code: int, message: str) -> None:
        outcome.update(code=code, message=message)
        if message:
            print(message, file=sys.stderr, flush=True)
        if code or exit_when_done:
            ui.stop()

    def first_screen(_dt: float) -> None:
        ui.show(ui.start_screen())
        notify.ready(f"kiosk {mode}")                         # systemd (Type=notify): the screen is up
        Clock.schedule_interval(heartbeat, min(1.0, heartbeat.every or 1.0))   # WATCHDOG=1 from Kivy's loop
        if steps:
            ui.replay = Replay(ui, steps, shots, finish)   # held here: Kivy's clock keeps only weak references
            ui.replay.saved = saved
            if timings is not None:
                ui.replay.tap_to_frame_ms = timings
            ui.replay.start()

    heartbeat = notify.Heartbeat()
    Clock.schedule_once(first_screen, 0)
    try:
        ui.run()
    finally:
        notify.stopping()
        if watcher is not None:
            watcher.stop()
    return int(outcome["code"]), str(outcome["message"]), saved


__all__ = ["ReplayError", "kiosk"]
