"""The card layout codec: vectors both ways, every single-bit flip caught, fuzzing."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.cards import layout as L
from hardware.cards.errors import (
    CardContentError,
    CardMalformed,
    ForeignUtility,
    MacInvalid,
)
from hardware.cards.views import card_to_dict, parse_kwh

VECTORS = Path(__file__).parents[2] / "vectors" / "cards_layout.jsonl"
ROWS = [json.loads(line) for line in VECTORS.read_text().splitlines() if line.strip()]
KEYS = L.UtilityKeys(1234, b"PPMS test utility secret 0001")
BASE = bytes.fromhex("A2131091") + b"\xff" * 252


def _keys(row: dict[str, Any]) -> L.UtilityKeys:
    return L.UtilityKeys(row["utility_code"], bytes.fromhex(row["secret"]), row["key_id"])


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _from_dict(v: dict[str, Any]) -> L.CardData:
    """Values of a vector -> CardData (the inverse of views.card_to_dict)."""
    if v["blank"]:
        return L.CardData()
    i = v["identity"]
    ident = L.Identity(L.CardType[i["card_type"].upper()], i["utility_code"], bytes.fromhex(i["card_serial"]),
                       i["meter"], i["key_id"], i["layout_version"])
    body: L.Body | None = None
    b = v["body"]
    if b and b["kind"] == "purchase":
        body = L.Purchase(b["sequence"], parse_kwh(b["kwh"]), _time(b["time"]), b["tariff_index"],
                          parse_kwh(b["credit_limit_kwh"]), b["max_power_w"])
    elif b and b["kind"] == "setting":
        body = L.Setting(b["sequence"], _time(b["time"]), b["max_power_w"], parse_kwh(b["alarm_level_kwh"]))
    elif b:
        clear = L.ClearWhat.NONE
        for name in b["clear"]:
            clear |= L.ClearWhat[name]
        body = L.ClearOrder(b["sequence"], _time(b["time"]), clear)
    ret = None
    if r := v["return"]:
        flags = L.MeterStatus.NONE
        for name in r["flags"]:
            flags |= L.MeterStatus[name]
        ret = L.ReturnData(r["meter"], r["last_sequence"], parse_kwh(r["remaining_kwh"]),
                           parse_kwh(r["cumulative_kwh"]), flags, _time(r["time"]))
    return L.CardData(ident, body, ret)


@pytest.mark.parametrize("row", [r for r in ROWS if r["kind"] == "card"], ids=lambda r: r["name"])
def test_card_vectors_both_ways(row: dict[str, Any]) -> None:
    memory = bytes.fromhex(row["memory"])
    keys = _keys(row)
    decoded = L.decode_card(memory, keys)
    assert card_to_dict(decoded) == row["values"]
    assert L.encode_card(_from_dict(row["values"]), keys, memory) == memory


@pytest.mark.parametrize("row", [r for r in ROWS if r["kind"] == "error"], ids=lambda r: r["name"])
def test_bad_card_vectors(row: dict[str, Any]) -> None:
    with pytest.raises(CardContentError) as info:
        L.decode_card(bytes.fromhex(row["memory"]), _keys(row))
    assert info.value.code == row["error"]


@pytest.mark.parametrize("row", [r for r in ROWS if r["kind"] == "psc"], ids=lambda r: r["card_serial"])
def test_psc_vectors(row: dict[str, Any]) -> None:
    keys = L.UtilityKeys(1, bytes.fromhex(row["secret"]))
    assert keys.psc_for(bytes.fromhex(row["card_serial"])).hex() == row["psc"]


@pytest.mark.parametrize("row", [r for r in ROWS if r["kind"] == "meter"], ids=lambda r: r["meter"] or "any")
def test_meter_vectors(row: dict[str, Any]) -> None:
    assert L.encode_meter(row["meter"]).hex() == row["bytes"]
    assert L.decode_meter(bytes.fromhex(row["bytes"])) == row["meter"]


def test_vector_file_covers_every_card_type_and_error() -> None:
    types = {r["values"]["identity"]["card_type"] for r in ROWS if r["kind"] == "card" and r["values"]["identity"]}
    assert types == {t.name.lower() for t in L.CardType}
    assert {r["error"] for r in ROWS if r["kind"] == "error"} == {
        "CARD_MALFORMED", "CARD_FOREIGN_UTILITY", "CARD_MAC_INVALID"}


def test_hand_checked_bytes() -> None:
    """A few bytes checked by hand against docs/card-layout.md."""
    ident = L.Identity(L.CardType.USER, 1234, bytes(range(1, 9)), "0123456789")
    mem = L.encode_card(L.CardData(ident), KEYS, BASE)
    assert mem[:4] == bytes.fromhex("A2131091")  # manufacturer area kept
    assert mem[32:36] == b"PPMC" and mem[36] == 1 and mem[37] == 1
    assert mem[38:42] == (1234).to_bytes(4, "big")
    assert mem[42:50] == bytes(range(1, 9)) and mem[50] == 1
    assert mem[51:62].hex() == "0a0123456789ffffffffff"
    assert mem[70:] == b"\xff" * 186  # no body, no return data


def _full_card() -> bytes:
    t = datetime(2026, 3, 5, 10, tzinfo=UTC)
    data = L.CardData(
        L.Identity(L.CardType.USER, 1234, bytes(range(1, 9)), "0123456789"),
        L.Purchase(5, 5651, t, 1, 0, 0),
        L.ReturnData("0123456789", 4, 100, 2000, L.MeterStatus.TAMPER, t),
    )
    return L.encode_card(data, KEYS, BASE)


def test_every_single_bit_flip_in_our_area_is_refused() -> None:
    mem = _full_card()
    for byte in range(32, 256):
        for bit in range(8):
            bad = bytearray(mem)
            bad[byte] ^= 1 << bit
            with pytest.raises(CardContentError):
                L.decode_card(bytes(bad), KEYS)


def test_manufacturer_area_is_not_ours() -> None:
    mem = bytearray(_full_card())
    mem[5] ^= 0xFF
    assert L.decode_card(bytes(mem), KEYS).purchase is not None


def test_blank_and_serial_hint() -> None:
    assert L.decode_card(BASE, KEYS).blank
    half = bytearray(_full_card())
    half[L.MAGIC_SLICE] = b"\xff" * 4  # making interrupted before the magic
    assert L.is_blank(bytes(half)) and L.serial_hint(bytes(half)) == bytes(range(1, 9))
    assert L.serial_hint(BASE) is None


def test_error_order_foreign_before_mac() -> None:
    theirs = L.UtilityKeys(9, b"their secret")
    mem = L.encode_card(L.CardData(L.Identity(L.CardType.USER, 9, b"\x01" * 8, "1")), theirs, BASE)
    with pytest.raises(ForeignUtility):
        L.decode_card(mem, KEYS)
    with pytest.raises(MacInvalid):
        L.decode_card(mem, L.UtilityKeys(9, b"not the secret"))
    with pytest.raises(MacInvalid):  # same utility, other key generation
        L.decode_card(mem, L.UtilityKeys(9, theirs.secret, key_id=2))
    with pytest.raises(ValueError):  # encoding refuses an identity of another utility
        L.encode_card(L.CardData(L.Identity(L.CardType.USER, 9, b"\x01" * 8, "1")), KEYS, BASE)


def test_psc_never_factory_and_differs_per_card() -> None:
    pscs = {KEYS.psc_for(i.to_bytes(8, "big")) for i in range(2000)}
    assert L.FACTORY_PSC not in pscs and len(pscs) > 1990


@pytest.mark.parametrize("bad", ["12a", "1" * 21, "١٢٣"])
def test_meter_numbers_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        L.encode_meter(bad)


def test_encode_refuses_out_of_range_and_wrong_body() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    ident = L.Identity(L.CardType.USER, 1, b"\x01" * 8, "1")
    with pytest.raises(ValueError):
        L.encode_card(L.CardData(ident, L.Purchase(-1, 1, t)), KEYS)
    with pytest.raises(ValueError):
        L.encode_card(L.CardData(ident, L.Purchase(1, 2**32, t)), KEYS)
    with pytest.raises(ValueError):
        L.encode_card(L.CardData(ident, L.Purchase(1, 1, datetime(2026, 1, 1))), KEYS)
    with pytest.raises(ValueError):
        L.encode_card(L.CardData(ident, L.Setting(1, t, 1, 1)), KEYS)
    with pytest.raises(ValueError):
        L.encode_card(L.CardData(L.Identity(L.CardType.TEST, 1, b"\x01" * 8), L.Purchase(1, 1, t)), KEYS)


# ------------------------------------------------------------------ fuzzing
u32 = st.integers(0, 2**32 - 1)
times = st.datetimes(datetime(1970, 1, 1), datetime(2106, 2, 7), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=0))
meters = st.text("0123456789", max_size=20)
serials = st.binary(min_size=8, max_size=8).filter(lambda s: s != b"\xff" * 8)
purchases = st.builds(L.Purchase, u32, u32, times, st.integers(0, 255), u32, u32)
returns = st.builds(L.ReturnData, meters, u32, u32, u32, st.integers(0, 0xFFFF).map(L.MeterStatus), times)


@st.composite
def cards(draw: st.DrawFn) -> L.CardData:
    card_type = draw(st.sampled_from(L.CardType))
    ident = L.Identity(card_type, draw(u32), draw(serials), draw(meters), draw(st.integers(0, 255)))
    body: L.Body | None = None
    if card_type is L.CardType.USER:
        body = draw(st.none() | purchases)
    elif card_type is L.CardType.SETTING:
        body = draw(st.none() | st.builds(L.Setting, u32, times, u32, u32))
    elif card_type is L.CardType.CLEAR:
        body = draw(st.none() | st.builds(L.ClearOrder, u32, times, st.integers(0, 255).map(L.ClearWhat)))
    return L.CardData(ident, body, draw(st.none() | returns))


@pytest.mark.slow
@given(cards(), st.binary(min_size=32, max_size=32), st.binary(min_size=1, max_size=40))
def test_fuzz_roundtrip(data: L.CardData, manufacturer: bytes, secret: bytes) -> None:
    assert data.identity is not None
    keys = L.UtilityKeys(data.identity.utility_code, secret, data.identity.key_id)
    mem = L.encode_card(data, keys, manufacturer + b"\x00" * 224)
    assert mem[:32] == manufacturer
    assert L.decode_card(mem, keys) == data


@pytest.mark.slow
@given(st.binary(min_size=256, max_size=256))
def test_fuzz_random_memory_never_crashes(memory: bytes) -> None:
    try:
        data = L.decode_card(memory, KEYS)
    except CardContentError:
        return
    assert data.blank  # without the secret nothing but a blank card can decode


@pytest.mark.slow
@given(st.integers(32, 255), st.integers(1, 255))
def test_fuzz_any_byte_change_detected(at: int, xor: int) -> None:
    mem = bytearray(_full_card())
    mem[at] ^= xor
    with pytest.raises(CardContentError):
        L.decode_card(bytes(mem), KEYS)


def test_wrong_length_is_malformed() -> None:
    with pytest.raises(CardMalformed):
        L.decode_card(b"\xff" * 255, KEYS)
