"""`ppms kiosk` (spec/kiosk.md): the touchscreen app, in a window, full screen on the box's
console (KMS/DRM), or offscreen where there is no display; `--replay FILE` drives it."""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from terminal.cli_commands.common import app_of
from terminal.domain.errors import PpmsError

MODES = ("operator", "self-service", "agent")
SIZE = re.compile(r"(\d{3,4})x(\d{3,4})")


class KioskUsage(PpmsError):
    code = "USAGE"


def _size(text: str) -> tuple[int, int]:
    m = SIZE.fullmatch(text)
    if not m:
        raise KioskUsage(f"--size is WIDTHxHEIGHT (800x480), not {text!r}", key="--size")
    return int(m.group(1)), int(m.group(2))


def prepare_kivy(size: tuple[int, int], fullscreen: bool, home: Path) -> None:
    """Kivy's environment and window, before Kivy is imported: no display -> SDL2 offscreen
    (the console's KMS/DRM when full screen is asked for), no `~/.kivy`, our own arguments."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_HOME", str(home))
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "kmsdrm" if fullscreen else "offscreen")
    from kivy.config import Config  # noqa: PLC0415
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")


def h_kiosk(ns: argparse.Namespace, g: dict[str, Any]) -> Any:
    size = _size(ns.size)
    replay_file = Path(ns.replay) if ns.replay else None
    if replay_file is not None and not replay_file.is_file():
        raise KioskUsage(f"no replay file {replay_file}", key="--replay")
    with contextlib.ExitStack() as stack:
        env = dict(os.environ)
        cash = None
        if ns.cash_simulator:
            from terminal import kiosk_rig  # noqa: PLC0415
            cash = stack.enter_context(kiosk_rig.cash_simulator())
            env |= {"PPMS_CASH_ACCEPTOR_TYPE": "cctalk", "PPMS_CASH_ACCEPTOR_PORT": cash.port}
        app = app_of(g, env=env)
        stack.callback(app.close)
        session = g["login"](app) if ns.mode == "self-service" else None
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ppms-kivy-")))
        shots = Path(ns.screenshots) if ns.screenshots else app.ledger.path.parent / "kiosk-shots"
        prepare_kivy(size, ns.fullscreen, home)
        from terminal.ui import run  # noqa: PLC0415 (Kivy only for this command)
        timings: list[float] = []
        code, message, saved = run.kiosk(app, ns.mode, session, cash, replay_file, shots, ns.exit_when_done,
                                         timings)
    out = {"mode": ns.mode, "size": ns.size, "screenshots": [str(p) for p in saved], "tap_to_frame_ms": timings}
    if code:
        return out | {"error": {"code": "REPLAY_STEP_FAILED", "message": message}}, code
    if not g["json"]:
        print("\n".join(f"screenshot: {p}" for p in saved) or "kiosk closed", file=sys.stderr)
    return out


def register(sub: Any) -> None:
    x = sub.add_parser("kiosk", help="the touchscreen kiosk (spec/kiosk.md); --replay drives it from a script")
    x.add_argument("--mode", choices=MODES, default="operator")
    x.add_argument("--size", default="800x480", help="window size WIDTHxHEIGHT (default 800x480)")
    x.add_argument("--fullscreen", action="store_true", help="full screen (the console's KMS/DRM without a display)")
    x.add_argument("--replay", help="JSON lines of steps performed through the widgets")
    x.add_argument("--screenshots", help="folder for the replay's shots (default: kiosk-shots beside the database)")
    x.add_argument("--exit-when-done", action="store_true", help="close after the replay's last step (exit 0)")
    x.add_argument("--cash-simulator", action="store_true",
                   help="self-service without an acceptor: the ccTalk simulator on a pty pair, fed by `note` steps")
    x.set_defaults(handler=h_kiosk)
