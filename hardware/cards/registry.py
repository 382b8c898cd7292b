"""Card layouts behind one interface, so a vendor's layout can be plugged in.

A layout is any object with the :class:`CardLayout` methods. Register it with
:func:`register_layout` or, from another package, through the entry-point group
``ppms.card_layouts`` (``name = "package.module:LAYOUT_OBJECT"``); pick it by name
with :func:`get_layout`. See docs/card-layout.md.
"""
from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from . import layout as v1
from .layout import CardData, UtilityKeys

ENTRY_POINT_GROUP = "ppms.card_layouts"


@runtime_checkable
class CardLayout(Protocol):
    name: str
    marker: slice  # the bytes that make a card "personalised": written last, erased first

    def decode(self, memory: bytes, keys: UtilityKeys) -> CardData:
        """Verify and decode 256 bytes; raise hardware.cards.errors.CardContentError."""
        ...

    def encode(self, data: CardData, keys: UtilityKeys, base: bytes) -> bytes:
        """256 bytes for ``data``; bytes the layout does not own are kept from ``base``."""
        ...

    def is_blank(self, memory: bytes) -> bool: ...

    def serial_hint(self, memory: bytes) -> bytes | None:
        """The card serial, also on a card whose making/formatting was interrupted."""
        ...

    def psc_for(self, keys: UtilityKeys, card_serial: bytes) -> bytes: ...


class PpmsLayoutV1:
    """The PPMS layout of :mod:`hardware.cards.layout`."""

    name = "ppms-v1"
    marker = v1.MAGIC_SLICE

    def decode(self, memory: bytes, keys: UtilityKeys) -> CardData:
        return v1.decode_card(memory, keys)

    def encode(self, data: CardData, keys: UtilityKeys, base: bytes) -> bytes:
        return v1.encode_card(data, keys, base)

    def is_blank(self, memory: bytes) -> bool:
        return v1.is_blank(memory)

    def serial_hint(self, memory: bytes) -> bytes | None:
        return v1.serial_hint(memory)

    def psc_for(self, keys: UtilityKeys, card_serial: bytes) -> bytes:
        return keys.psc_for(card_serial)


_LAYOUTS: dict[str, CardLayout] = {PpmsLayoutV1.name: PpmsLayoutV1()}


def register_layout(layout: CardLayout) -> None:
    if not isinstance(layout, CardLayout):
        raise TypeError(f"{layout!r} does not implement CardLayout")
    _LAYOUTS[layout.name] = layout


def get_layout(name: str = PpmsLayoutV1.name) -> CardLayout:
    if name not in _LAYOUTS:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name == name:
                register_layout(ep.load())
    try:
        return _LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown card layout {name!r}; known: {sorted(_LAYOUTS)}") from None
