"""DL/T 645-2007 codec against the vectors in tests/vectors/dlt645_frames.jsonl, and fuzzed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.meters import codec
from hardware.meters.errors import MeterError, MeterGarbledReply, MeterSettingsError
from hardware.meters.simulator import MeterBus, SimulatedMeter

VECTORS = [
    json.loads(line)
    for line in (Path(__file__).parents[2] / "vectors" / "dlt645_frames.jsonl").read_text().splitlines()
    if line.strip() and not line.startswith('{"name":"_source"')
]
REQUESTS = [v for v in VECTORS if v["direction"] == "request"]
REPLIES = [v for v in VECTORS if v["direction"] == "reply"]


def decode_reply(vector: dict[str, object]) -> object:
    frame = codec.decode_frame(bytes.fromhex(str(vector["hex"])))
    if vector.get("function") == "read_address":
        return codec.parse_address_reply(frame)
    di = int(str(vector["di"]), 16)
    address = str(vector["address"])
    return codec.decode_value(di, codec.parse_read_reply(frame, address=address, di=di))


def test_vectors_cover_every_error_code() -> None:
    codes = {v.get("error") for v in REPLIES}
    assert {"METER_FRAME_CHECKSUM", "METER_FRAME_TRUNCATED", "METER_WRONG_ADDRESS",
            "METER_ERROR_REPLY", "METER_FRAME_INVALID", "METER_UNEXPECTED_REPLY"} <= codes


@pytest.mark.parametrize("vector", REQUESTS, ids=[v["name"] for v in REQUESTS])
def test_request_vectors(vector: dict[str, str]) -> None:
    if vector["function"] == "read_address":
        built = codec.build_read_address_request()
    else:
        built = codec.build_read_request(vector["address"], int(vector["di"], 16))
    assert built.hex() == vector["hex"]


@pytest.mark.parametrize("vector", REPLIES, ids=[v["name"] for v in REPLIES])
def test_reply_vectors(vector: dict[str, object]) -> None:
    if "error" in vector:
        with pytest.raises(MeterError) as caught:
            decode_reply(vector)
        assert caught.value.code == vector["error"]
    else:
        assert decode_reply(vector) == vector["value"]


@pytest.mark.parametrize(
    "vector", [v for v in REPLIES if "value" in v and "di" in v
               and v["hex"].startswith("fefefefe68") and v["hex"][22:24] == "68"
               and v["hex"][24:26] == "91"],
    ids=lambda v: v["name"])
def test_reply_vectors_encode(vector: dict[str, str]) -> None:
    di = int(vector["di"], 16)
    built = codec.build_read_reply(vector["address"], di, codec.encode_value(di, int(vector["value"])))
    assert built.hex() == vector["hex"]


def test_error_reply_reasons() -> None:
    raw = codec.build_error_reply("1", 0x06)
    with pytest.raises(MeterError) as caught:
        codec.parse_read_reply(codec.decode_frame(raw), address="1", di=codec.DI_TOTAL_FORWARD_ACTIVE)
    assert caught.value.code == "METER_ERROR_REPLY"
    assert caught.value.reasons == ("no requested data", "password error or not authorised")  # type: ignore[attr-defined]
    assert caught.value.no_such_data  # type: ignore[attr-defined]


@pytest.mark.parametrize("value,length,hexed", [(0, 4, "00000000"), (123456, 4, "56341200"),
                                                (7, 2, "0700"), (99999999, 4, "99999999")])
def test_bcd(value: int, length: int, hexed: str) -> None:
    assert codec.bcd_encode(value, length).hex() == hexed
    assert codec.bcd_decode(bytes.fromhex(hexed)) == value


def test_bcd_rejects_non_decimal_nibbles() -> None:
    with pytest.raises(MeterGarbledReply):
        codec.bcd_decode(bytes.fromhex("0a00"))
    with pytest.raises(ValueError):
        codec.bcd_encode(10000, 2)


@pytest.mark.parametrize("raw,expected", [("1", "000000000001"), ("202106150042", "202106150042"),
                                          (" 12345 ", "000000012345"), ("aaaaaaaaaaaa", "AAAAAAAAAAAA")])
def test_address_normalised(raw: str, expected: str) -> None:
    assert codec.normalize_address(raw) == expected


@pytest.mark.parametrize("raw", ["", "1234567890123", "12-34", "AA01", "x"])
def test_bad_address_refused(raw: str) -> None:
    with pytest.raises(MeterSettingsError) as caught:
        codec.normalize_address(raw)
    assert caught.value.code == "METER_SETTINGS_INVALID"


def test_address_goes_low_byte_first() -> None:
    assert codec.address_to_bytes("202106150042").hex() == "420015062120"
    assert codec.address_from_bytes(bytes.fromhex("420015062120")) == "202106150042"


# ------------------------------------------------------------------ fuzz
addresses = st.text("0123456789", min_size=12, max_size=12)
frames = st.builds(codec.Frame, address=addresses, control=st.integers(0, 255),
                   data=st.binary(max_size=200))
noise = st.binary(max_size=16).map(lambda b: b.replace(b"\x68", b"\x00"))


@pytest.mark.slow
@given(frames, st.integers(0, 4), noise)
def test_frame_roundtrip_through_noise(frame: codec.Frame, preamble: int, junk: bytes) -> None:
    assert codec.decode_frame(junk + codec.encode_frame(frame, preamble=preamble)) == frame


@pytest.mark.slow
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_frame_or_a_meter_error(raw: bytes) -> None:
    try:
        frame = codec.decode_frame(raw)
    except MeterError:
        return
    assert isinstance(frame, codec.Frame)
    try:
        codec.decode_value(codec.DI_TOTAL_FORWARD_ACTIVE, codec.parse_read_reply(
            frame, address=frame.address, di=codec.DI_TOTAL_FORWARD_ACTIVE))
    except MeterError:
        pass


def _read_value(raw: bytes, address: str, di: int) -> int:
    return codec.decode_value(di, codec.parse_read_reply(codec.decode_frame(raw), address=address, di=di))


@pytest.mark.slow
@given(addresses, st.integers(0, 99999999), st.data())
def test_damaged_reply_never_gives_a_wrong_reading(address: str, value: int, data: st.DataObject) -> None:
    di = codec.DI_TOTAL_FORWARD_ACTIVE
    good = codec.build_read_reply(address, di, codec.encode_value(di, value))
    pos = data.draw(st.integers(4, len(good) - 1), label="position")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != good[pos]), label="byte")
    damaged = good[:pos] + bytes([new]) + good[pos + 1:]
    with pytest.raises(MeterError):
        _read_value(damaged, address, di)


@pytest.mark.slow
@given(addresses, st.integers(0, 99999999), st.data())
def test_truncated_reply_is_an_error(address: str, value: int, data: st.DataObject) -> None:
    di = codec.DI_REMAINING_MONEY
    good = codec.build_read_reply(address, di, codec.encode_value(di, value))
    cut = data.draw(st.integers(0, len(good) - 1))
    with pytest.raises(MeterError):
        _read_value(good[:cut], address, di)


@pytest.mark.slow
@given(st.lists(st.binary(max_size=40), max_size=8))
def test_simulated_bus_survives_any_bytes(chunks: list[bytes]) -> None:
    bus = MeterBus([SimulatedMeter("000000000001", total_energy=5)])
    for chunk in chunks:
        assert isinstance(bus.feed(chunk), bytes)
    # and still answers a good request afterwards
    bus.reset_input()
    reply = bus.feed(codec.build_read_request("1", codec.DI_TOTAL_FORWARD_ACTIVE))
    frame = codec.decode_frame(reply)
    assert codec.parse_read_reply(frame, address="1", di=codec.DI_TOTAL_FORWARD_ACTIVE) == b"\x05\x00\x00\x00"


@pytest.mark.slow
@given(st.integers(0, 99999999), noise, st.integers(1, 7))
def test_reader_reassembles_a_reply_cut_in_pieces(value: int, junk: bytes, piece: int) -> None:
    from hardware.meters.models import PortSettings
    from hardware.meters.reader import MeterReader

    class Pieces:
        def __init__(self) -> None:
            self.out = bytearray()

        def write(self, data: bytes) -> None:
            self.out += junk + codec.build_read_reply(
                "1", codec.DI_TOTAL_FORWARD_ACTIVE, codec.encode_value(codec.DI_TOTAL_FORWARD_ACTIVE, value))

        def read(self, wait_s: float) -> bytes:
            chunk = bytes(self.out[:piece])
            del self.out[:piece]
            return chunk

        def discard_input(self) -> None:
            self.out.clear()

        def close(self) -> None:
            pass

    reader = MeterReader(Pieces(), PortSettings("fake", parity="N", timeout_s=1.0, retries=0))
    assert reader.read_total_energy("1") == value
