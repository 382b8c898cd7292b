"""Shared touch widgets: big buttons, keypad-filled fields, the on-screen numeric keypad and
the status bar. Every widget a replay can touch has a `kid` ("sell.amount"): the names of
spec/kiosk.md. Targets are at least 56 dp high (over 9 mm on a 7-inch 800x480 panel)."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

Builder.load_file(str(Path(__file__).with_name("widgets.kv")))

#: the keypad's keys: (label, kid suffix)
KEYS = (("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5"), ("6", "6"),
        ("7", "7"), ("8", "8"), ("9", "9"), (".", "dot"), ("0", "0"), ("DEL", "back"))


def key_kid(char: str) -> str | None:
    """The keypad key that types `char` (None: the keypad has no such key)."""
    return next((f"key.{suffix}" for label, suffix in KEYS if label == char and len(char) == 1), None)


class KButton(Button):
    kid = StringProperty("")
    role = StringProperty("normal")   # "primary", "normal", "danger": the colour


class KInput(TextInput):
    """A text field for the hardware or Kivy keyboard (login)."""
    kid = StringProperty("")


class KField(ButtonBehavior, Label):
    """A field the on-screen keypad fills: tap it to make it the keypad's target."""
    kid = StringProperty("")
    value = StringProperty("")
    hint = StringProperty("")
    active = BooleanProperty(False)
    max_chars = NumericProperty(20)
    decimals = NumericProperty(2)       # 0: digits only (a meter number)

    def press(self, char: str) -> None:
        if char == "DEL":
            self.value = self.value[:-1]
        elif len(self.value) >= self.max_chars:
            return
        elif char == ".":
            if self.decimals and "." not in self.value:
                self.value = (self.value or "0") + "."
        elif "." in self.value and len(self.value.partition(".")[2]) >= self.decimals:
            return
        else:
            self.value += char


class Keypad(GridLayout):
    """Our own numeric keypad (Kivy's virtual keyboard has none): it types into `target`."""
    target = ObjectProperty(None, allownone=True)

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        for label, suffix in KEYS:
            key = KButton(text=label, kid=f"key.{suffix}", role="key")
            key.bind(on_release=lambda b: self.press(b.text))
            self.add_widget(key)

    def press(self, char: str) -> None:
        if self.target is not None:
            self.target.press(char)


class StatusBar(Label):
    pass


class ResultRow(Label):
    """One line of a result list: the left part names the thing, the right part its figures."""


class ResultList(ScrollView):
    """What an office screen found: (what, figures) rows, scrolled with a finger."""

    def show(self, rows: list[tuple[str, str]], strong: frozenset[int] = frozenset()) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        for i, (what, figures) in enumerate(rows):
            for text, align in ((what, "left"), (figures, "right")):
                grid.add_widget(ResultRow(text=text, halign=align, bold=i in strong))
        self.scroll_y = 1
