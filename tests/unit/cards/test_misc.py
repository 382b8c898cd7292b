"""Smaller parts: pyscard boundary, layout plugins, views, emulated mode, imports."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hardware.cards import CardTerminal, CardType, Purchase, UtilityKeys
from hardware.cards import layout as L
from hardware.cards.errors import (
    CardError,
    CardRemoved,
    ReaderError,
    ReaderNotFound,
    ReaderUnavailable,
)
from hardware.cards.fake import FakeCardReader, Sle4442Chip, emulated_user_card
from hardware.cards.pcsc import PcscConnection, _translate
from hardware.cards.registry import PpmsLayoutV1, get_layout, register_layout
from hardware.cards.views import card_to_dict, kwh, parse_kwh

KEYS = UtilityKeys(1234, b"misc tests")
ROOT = Path(__file__).parents[3]


def test_package_imports_without_pyscard() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'smartcard' or name.startswith('smartcard.'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import hardware.cards, hardware.cards.pcsc, hardware.cards.emulator, hardware.cards.meter_sim\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


class _PyscardConnection:
    """Stands in for pyscard's CardConnection (the boundary we patch at)."""

    def __init__(self, answer: Any = None, error: Exception | None = None) -> None:
        self.answer, self.error, self.sent = answer, error, []  # type: ignore[var-annotated]

    def transmit(self, apdu: list[int]) -> Any:
        self.sent.append(bytes(apdu))
        if self.error:
            raise self.error
        return self.answer

    def disconnect(self) -> None:
        pass


def test_pcsc_connection_moves_bytes_only() -> None:
    raw = _PyscardConnection(answer=([1, 2, 3], 0x90, 0x00))
    conn = PcscConnection("Reader X", raw)
    assert conn.transmit(b"\xff\xb0\x00\x00\x03") == (b"\x01\x02\x03", 0x90, 0x00)
    assert raw.sent == [b"\xff\xb0\x00\x00\x03"]
    conn.close()


@pytest.mark.parametrize(("text", "error"), [
    ("Card was removed. (0x80100069)", CardRemoved),
    ("Failed to transmit: Card is unpowered. (0x80100067)", CardRemoved),
    ("Service not available. (0x8010001D)", ReaderUnavailable),
    ("Unknown reader specified (0x80100009)", ReaderNotFound),
    ("something else entirely", ReaderError),
])
def test_pyscard_errors_become_codes(text: str, error: type[CardError]) -> None:
    assert type(_translate(Exception(text), "R")) is error


def test_pcsc_transmit_error_translated() -> None:
    conn = PcscConnection("R", _PyscardConnection(error=Exception("Card was removed. (0x80100069)")))
    with pytest.raises(CardRemoved):
        conn.transmit(b"\xff\xb0\x00\x00\x01")


class _VendorLayout(PpmsLayoutV1):
    """A 'vendor' layout: the PPMS codec shifted to a different PSC derivation."""

    name = "vendor-test"

    def psc_for(self, keys: UtilityKeys, card_serial: bytes) -> bytes:
        return bytes(b ^ 0x5A for b in keys.psc_for(card_serial))


def test_layout_plugin_behind_the_same_interface() -> None:
    register_layout(_VendorLayout())
    reader = FakeCardReader("acr39")
    reader.insert(Sle4442Chip.blank())
    term = CardTerminal(reader.connect, "acr39", KEYS, layout="vendor-test")
    made = term.make_user_card("42", card_serial=b"\x01" * 8)
    assert reader.chip is not None and reader.chip.psc == _VendorLayout().psc_for(KEYS, b"\x01" * 8)
    assert made.meter_no == "42"
    with pytest.raises(ValueError):
        get_layout("no-such-layout")
    with pytest.raises(TypeError):
        register_layout(object())  # type: ignore[arg-type]


def test_kwh_strings() -> None:
    assert kwh(5651) == "56.51" and kwh(5) == "0.05" and kwh(0) == "0.00"
    assert parse_kwh("56.51") == 5651 and parse_kwh("2000") == 200000 and parse_kwh("0.5") == 50
    for bad in ("1.234", "-1", "abc", ""):
        with pytest.raises(ValueError):
            parse_kwh(bad)


def test_emulated_mode_card_sells_next_sequence() -> None:
    reader = emulated_user_card(KEYS, "0123456789", last_sequence=7, remaining=100, cumulative=900)
    term = CardTerminal(reader.connect, "acr38", KEYS)
    contents = term.read()
    assert contents.card_type is CardType.USER and not contents.pending
    assert contents.reading is not None and contents.reading.last_sequence == 7
    p = Purchase(8, 1000, datetime(2026, 1, 1, tzinfo=UTC))
    assert term.write_purchase("0123456789", p).holds(p)
    view = card_to_dict(term.read().data)
    assert view["body"]["kwh"] == "10.00" and view["pending"] is True
    assert view["return"]["remaining_kwh"] == "1.00"


def test_card_to_dict_flags() -> None:
    ret = L.ReturnData("1", 1, 0, 0, L.MeterStatus.TAMPER | L.MeterStatus.RELAY_OPEN,
                       datetime(2026, 1, 1, tzinfo=UTC))
    ident = L.Identity(L.CardType.USER, 1234, b"\x01" * 8, "1")
    view = card_to_dict(L.CardData(ident, None, ret))
    assert view["return"]["flags"] == ["TAMPER", "RELAY_OPEN"]
    assert view["return"]["time"] == "2026-01-01T00:00:00Z"
