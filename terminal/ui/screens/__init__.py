"""One module + one .kv per screen (spec/kiosk.md's screen names); `make(name)` builds one."""
from __future__ import annotations

import importlib
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from terminal.ui import widgets as _widgets  # noqa: F401 (the shared widgets' kv rules first)

HERE = Path(__file__).parent


class KioskScreen(Screen):
    """A screen of the kiosk; `kiosk` is the running KioskApp."""

    @property
    def kiosk(self):  # type: ignore[no-untyped-def]
        return App.get_running_app()


def load_kv(module_file: str) -> None:
    Builder.load_file(str(Path(module_file).with_suffix(".kv")))


def make(name: str) -> Screen:
    module = importlib.import_module(f"terminal.ui.screens.{name}")
    screen: Screen = module.SCREEN(name=name)
    return screen
