"""`--replay FILE` (spec/kiosk.md): JSON lines, one step each, performed through the real
widgets as touches and key presses, waiting for the screen to settle after each.

A step that cannot be done stops the replay: exit 2, a message naming the step's line,
and the screenshot of that moment as `DIR/failed.png`. Settled means: nothing on its way
through the main-thread bridge (no device event, no service call running) and two frames
drawn since.
"""
from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.input.motionevent import MotionEvent
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from terminal.ui.widgets import KField, KInput, key_kid

log = logging.getLogger(__name__)

ACTIONS = ("tap", "type", "card", "note", "expect_screen", "expect_text", "shot", "wait_s")
DEFAULT_TIMEOUT_S = 5.0
SETTLE_LIMIT_S = 60.0   # a screen busier than this never settles: the step fails
_touch_ids = itertools.count(1000)


class ReplayError(Exception):
    """A step that cannot be done (or a file that is no replay)."""


@dataclass(frozen=True)
class Step:
    line: int
    action: str
    data: dict[str, Any]

    def __str__(self) -> str:
        return f"line {self.line}: {json.dumps(self.data, ensure_ascii=False)}"


def load(path: Path) -> list[Step]:
    """The steps of a replay file; a line that is not a step is refused with its number."""
    steps: list[Step] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ReplayError(f"{path}: line {number} is not JSON ({exc.msg})") from None
        actions = [k for k in ACTIONS if isinstance(data, dict) and k in data]
        if len(actions) != 1:
            raise ReplayError(f"{path}: line {number} needs exactly one of {', '.join(ACTIONS)}")
        steps.append(Step(number, actions[0], data))
    return steps


class ReplayTouch(MotionEvent):
    """A finger on the window at (x, y) window pixels."""

    def __init__(self, x: float, y: float) -> None:
        win = EventLoop.window
        super().__init__("replay", next(_touch_ids), {"x": x / max(win.width - 1.0, 1), "y": y / max(
            win.height - 1.0, 1)}, is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)


def touch_widget(widget: Widget) -> None:
    """A finger down and up at the widget's centre, through the window's input dispatch."""
    x, y = widget.to_window(*widget.center)
    touch = ReplayTouch(x, y)
    win = EventLoop.window
    touch.scale_for_screen(win.width, win.height, rotation=win.rotation)
    win.dispatch("on_touch_down", touch)        # as the window's motion handler does for a new touch
    EventLoop.post_dispatch_input("end", touch)  # the lift, also to the widgets that grabbed the touch


def walk(root: Widget) -> Iterator[Widget]:
    yield from root.walk(restrict=True)


class Replay:
    """Drives a running KioskApp through the steps, one per settled frame."""

    def __init__(self, app: Any, steps: list[Step], shots: Path, finish: Callable[[int, str], None]) -> None:
        self.app, self.steps, self.shots, self.finish = app, steps, shots, finish
        self.index = 0
        self.deadline: float | None = None
        self.settle_frames = 0
        self.event: Any = None
        self.saved: list[Path] = []
        self.busy_since: float | None = None
        self.touched_at: float | None = None
        self.tap_to_frame_ms: list[float] = []   # each tap: the touch to the next frame drawn (make bench)

    def start(self) -> None:
        self.settle_frames = 0
        self.event = Clock.schedule_interval(self._tick, 0)
        win = EventLoop.window
        flip = win.on_flip

        def flipped(*args: object) -> None:   # after the window's own flip: the frame is on the screen
            flip(*args)
            self._drawn()
        win.on_flip = flipped

    def _drawn(self) -> None:
        """A frame is on the screen: the first one after a touch ends that touch's time."""
        if self.touched_at is not None:
            self.tap_to_frame_ms.append(round((time.perf_counter() - self.touched_at) * 1000, 2))
            self.touched_at = None

    # -- the loop ---------------------------------------------------------------------------
    def _settled(self) -> bool:
        bridge = self.app.bridge
        if bridge is not None and not bridge.idle():
            self.settle_frames = 0
            if self.busy_since is None:
                self.busy_since = time.monotonic()
            elif time.monotonic() - self.busy_since > SETTLE_LIMIT_S and self.index < len(self.steps):
                self._failed(self.steps[self.index], f"the screen did not settle within {SETTLE_LIMIT_S:.0f} s")
            return False
        self.busy_since = None
        self.settle_frames += 1
        return self.settle_frames > 2

    def _tick(self, _dt: float) -> None:
        if not self._settled():
            return
        if self.index >= len(self.steps):
            self.event.cancel()
            self.finish(0, "")
            return
        step = self.steps[self.index]
        try:
            if self._do(step):
                self.index += 1
                self.deadline = None
                self.settle_frames = 0
        except ReplayError as exc:
            self._failed(step, str(exc))

    def _failed(self, step: Step, why: str) -> None:
        self.event.cancel()
        try:
            from terminal.ui.app import screenshot  # noqa: PLC0415 (a cycle: the app starts the replay)
            screenshot(self.app, self.shots / "failed.png")
        except Exception:  # the message matters more than the picture
            log.exception("replay: the failure screenshot could not be saved")
        self.finish(2, f"replay stopped at {step}: {why}")

    def _timeout(self, step: Step) -> bool:
        """True while the step may still wait."""
        if self.deadline is None:
            self.deadline = time.monotonic() + float(step.data.get("timeout_s", DEFAULT_TIMEOUT_S))
        return time.monotonic() < self.deadline

    # -- the steps --------------------------------------------------------------------------
    def _do(self, step: Step) -> bool:
        """Perform the step; False to try again on the next settled frame (waits)."""
        value = step.data[step.action]
        handler = getattr(self, f"_{step.action}")
        return bool(handler(step, value))

    def _find(self, kid: str) -> Widget | None:
        screen = self.app.root.current_screen
        return next((w for w in walk(screen) if getattr(w, "kid", None) == kid), None)

    def _tap(self, step: Step, kid: str) -> bool:
        widget = self._find(str(kid))
        if widget is None or widget.disabled:
            if self._timeout(step):
                return False
            state = "is disabled" if widget is not None else "is not on the screen"
            raise ReplayError(f"widget {kid!r} {state} (screen {self.app.screen!r})")
        self.touched_at = time.perf_counter()   # the finger down: from here to the next frame drawn
        touch_widget(widget)
        return True

    def _type(self, step: Step, text: str) -> bool:
        screen = self.app.root.current_screen
        focused = next((w for w in walk(screen) if isinstance(w, KInput) and w.focus), None)
        if focused is not None:
            focused.insert_text(str(text))
            return True
        if not any(isinstance(w, KField) and w.active for w in walk(screen)):
            raise ReplayError("no field is focused")
        for char in str(text):
            kid = key_kid(char)
            key = self._find(kid) if kid else None
            if key is None:
                raise ReplayError(f"the keypad has no key for {char!r}")
            touch_widget(key)
        return True

    def _card(self, step: Step, what: str) -> bool:
        slot = self.app.setup.card_slot
        if slot is None:
            raise ReplayError("this terminal's card reader is not the emulated one: no card can be put in")
        from terminal import kiosk_rig  # noqa: PLC0415 (the emulated reader's faults)
        if what == "insert":
            kiosk_rig.card_put_back(slot, str(step.data.get("meter", "")))
            slot.insert(str(step.data.get("meter", "")))
        elif what == "remove":
            slot.remove()
        elif what == "pull_mid_write":
            if slot.meter is None:
                raise ReplayError("no card in the reader to pull out mid-write")
            kiosk_rig.pull_card_at_next_write(slot)
        else:
            raise ReplayError(f"card must be insert, remove or pull_mid_write, not {what!r}")
        return True

    def _note(self, step: Step, value: str) -> bool:
        device = self.app.setup.cash_device
        if device is None:
            raise ReplayError("no cash acceptor simulator runs in this kiosk (--cash-simulator)")
        bill = next((int(t) for t, v in self.app.setup.bills.items() if v == str(value)), None)
        if bill is None:
            raise ReplayError(f"the acceptor takes no {value} note (bills: {self.app.setup.bills})")
        device.insert(bill)
        return True

    def _expect_screen(self, step: Step, name: str) -> bool:
        if self.app.screen == name:
            return True
        if self._timeout(step):
            return False
        raise ReplayError(f"screen {name!r} never came (the screen is {self.app.screen!r})")

    def _expect_text(self, step: Step, text: str) -> bool:
        screen = self.app.root.current_screen
        shown = [w.text for w in walk(screen) if isinstance(w, Label) and w.opacity > 0]
        if any(str(text) in t for t in shown):
            return True
        if self._timeout(step):
            return False
        raise ReplayError(f"text {text!r} was never shown on screen {self.app.screen!r}")

    def _shot(self, step: Step, name: str) -> bool:
        from terminal.ui.app import screenshot  # noqa: PLC0415
        if "/" in str(name) or not str(name):
            raise ReplayError("a shot's name is a file name without a folder")
        self.saved.append(screenshot(self.app, self.shots / f"{name}.png"))
        return True

    def _wait_s(self, step: Step, seconds: float) -> bool:
        if self.deadline is None:
            self.deadline = time.monotonic() + float(seconds)
        return time.monotonic() >= self.deadline
