"""The only way from another thread to a widget.

Device events (card in/out, notes, printer status, sync) arrive on the dispatcher's
thread; long service calls (a login's password hash, a card read, a sale with its card
write and receipt) run on a worker thread so the frame never waits. Both come back here
and are handed to the main thread with `Clock.schedule_once`; nothing else in `ui`
touches a widget from another thread. `idle()` says when nothing is on its way (the
replay waits for it before the next step).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from terminal.services.ports import DeviceEvent, DeviceEvents, EventSubscription

log = logging.getLogger(__name__)


class Bridge:
    def __init__(self, events: DeviceEvents | None, on_event: Callable[[DeviceEvent], None]) -> None:
        self._events = events
        self._on_event = on_event
        self._lock = threading.Lock()
        self._in_flight = 0          # events and work results not yet handed to the main thread
        self._subscription: EventSubscription | None = None
        if events is not None:
            self._subscription = events.subscribe(self._from_device, name="kiosk")

    def _count(self, delta: int) -> None:
        with self._lock:
            self._in_flight += delta

    def _to_main(self, call: Callable[[], None]) -> None:
        def run(_dt: float) -> None:
            try:
                call()
            except Exception:  # a screen's fault must not stop the kiosk: log it, keep the frame going
                log.exception("kiosk: a screen failed handling a result")
            finally:
                self._count(-1)
        Clock.schedule_once(run)

    def _from_device(self, event: DeviceEvent) -> None:
        self._count(1)
        self._to_main(lambda: self._on_event(event))

    def work(self, task: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[Exception], None], settles: bool = True) -> None:
        """Run `task` on a worker thread; `done(result)` or `failed(error)` on the main thread.
        `settles=False` for work that waits on a person (a note intake): the screen counts as
        settled while it runs, so a replay can go on feeding it."""
        self._count(1)
        if not settles:
            self._count(-1)

        def run() -> None:
            try:
                result = task()
            except Exception as exc:  # every failure reaches a screen, none is lost on a thread
                log.info("kiosk: %s failed: %s", getattr(task, "__name__", "task"), exc)
                if not settles:
                    self._count(1)
                self._to_main(lambda error=exc: failed(error))   # type: ignore[misc]
                return
            if not settles:
                self._count(1)
            self._to_main(lambda: done(result))
        threading.Thread(target=run, name="kiosk-work", daemon=True).start()

    def idle(self) -> bool:
        """No event queued at the dispatcher, none on its way to a widget, no work running."""
        drain = getattr(self._events, "drain", None)
        queued_done = drain(0) if drain is not None and self._subscription is not None else True
        with self._lock:
            return queued_done and self._in_flight == 0

    def close(self) -> None:
        if self._events is not None and self._subscription is not None:
            self._events.unsubscribe(self._subscription)
            self._subscription = None
