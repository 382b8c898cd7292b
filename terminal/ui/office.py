"""What every office screen shares (registration, search, statement, reading, shift, daily
report): fields filled on the on-screen keypad or typed, one service call on the worker,
the answer as rows in a result list. On a small panel the keypad and the result list share
one side of the screen: the list shows an answer, a tap on a keypad field brings the keypad
back. Errors go to the calm error screen, which comes back here."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import StringProperty

from terminal.ui import i18n
from terminal.ui.screens import KioskScreen
from terminal.ui.widgets import KField, KInput


class OfficeScreen(KioskScreen):
    notice = StringProperty("")     # a hint, or the headline of what was done

    def on_kv_post(self, *_: object) -> None:
        side = self._side = getattr(self.ids.get("side"), "__self__", None)
        # the widgets themselves, not the ids' weak proxies: one of them is off the screen at a time
        self._results = getattr(self.ids.get("results"), "__self__", None)
        self._keypad = getattr(self.ids.get("keypad"), "__self__", None)
        if side is not None and self._results is not None and self._keypad is not None:
            side.remove_widget(self._results)

    def fields(self) -> list[KField]:
        return [w for w in self.walk(restrict=True) if isinstance(w, KField)]

    def clear(self) -> None:
        for w in self.walk(restrict=True):
            if isinstance(w, KField):
                w.value = ""
            elif isinstance(w, KInput):
                w.text = ""
        self.notice = ""
        self.show_rows([])

    def activate(self, field: KField) -> None:
        target = getattr(field, "__self__", field)   # kv may hand a weak proxy
        for f in self.fields():
            f.active = f is target
        if self._keypad is not None:
            self._swap(self._keypad)
            self._keypad.target = target

    def _swap(self, shown: Any) -> None:
        side = self._side
        if side is None or shown is None or shown.parent is side:
            return
        other = self._results if shown is self._keypad else self._keypad
        if other is not None and other.parent is side:
            index = side.children.index(other)
            side.remove_widget(other)
            side.add_widget(shown, index=index)
        else:
            side.add_widget(shown, index=len(side.children))

    def show_rows(self, rows: list[tuple[str, str]], strong: frozenset[int] = frozenset()) -> None:
        if self._results is None:
            return
        self._results.show(rows, strong)
        if rows:
            for f in self.fields():
                f.active = False
            self._swap(self._results)

    def run(self, task: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.kiosk.call(task, done, back=self.name)

    def money(self, amount: str | None) -> str:
        return str(self.kiosk.money(amount))

    def when(self, iso: str | None) -> str:
        return i18n.when(self.kiosk.lang, iso)
