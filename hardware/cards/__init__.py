"""IC-card path: PC/SC reader, SLE4442 driver, card layout, emulator, meter simulator.

Imports without pyscard: only :mod:`hardware.cards.pcsc` needs it, lazily.
"""
from __future__ import annotations

from .card_terminal import CardContents, CardSession, CardTerminal
from .errors import CardError
from .layout import (
    CardData,
    CardType,
    ClearOrder,
    ClearWhat,
    Identity,
    MeterStatus,
    Purchase,
    ReturnData,
    Setting,
    UtilityKeys,
)
from .profiles import PROFILES, ReaderProfile, get_profile

__all__ = [
    "PROFILES",
    "CardContents",
    "CardSession",
    "CardData",
    "CardError",
    "CardTerminal",
    "CardType",
    "ClearOrder",
    "ClearWhat",
    "Identity",
    "MeterStatus",
    "Purchase",
    "ReaderProfile",
    "ReturnData",
    "Setting",
    "UtilityKeys",
    "get_profile",
]
