"""ccTalk codec against tests/vectors/cctalk_frames.jsonl, and fuzzed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.cash import codec
from hardware.cash.errors import CashError
from hardware.cash.models import (
    BillEscrowed,
    BillJammed,
    BillRejected,
    BillReturned,
    BillTable,
    CreditAccepted,
    DeviceFault,
    FraudAttempt,
    StatusReport,
    UnknownBillStacked,
    to_event,
)
from hardware.cash.simulator import SimulatedBillValidator

VECTORS = [json.loads(line) for line in
           (Path(__file__).parents[2] / "vectors" / "cctalk_frames.jsonl").read_text().splitlines()
           if line.strip()]
PACKETS = [v for v in VECTORS if v.get("kind") == "packet"]
EVENTS = [v for v in VECTORS if v.get("kind") == "events"]


@pytest.mark.parametrize("vector", PACKETS, ids=[v["name"] for v in PACKETS])
def test_packet_vectors(vector: dict[str, object]) -> None:
    raw = bytes.fromhex(str(vector["hex"]))
    if "error" in vector:
        with pytest.raises(CashError) as caught:
            codec.decode_packet(raw)
        assert caught.value.code == vector["error"]
        return
    packet = codec.Packet(int(vector["dest"]), int(vector["src"]), int(vector["header"]),  # type: ignore[arg-type]
                          bytes.fromhex(str(vector["data"])))
    assert codec.decode_packet(raw) == packet
    assert codec.encode_packet(packet) == raw


@pytest.mark.parametrize("vector", EVENTS, ids=[v["name"] for v in EVENTS])
def test_event_vectors(vector: dict[str, object]) -> None:
    data = bytes.fromhex(str(vector["data"]))
    if "error" in vector:
        with pytest.raises(CashError) as caught:
            codec.events_since(int(vector["last"]), codec.decode_bill_events(data))  # type: ignore[arg-type]
        assert caught.value.code == vector["error"]
        return
    new = codec.events_since(int(vector["last"]), codec.decode_bill_events(data))  # type: ignore[arg-type]
    assert [list(p) for p in new] == vector["new_oldest_first"]


def test_counter_wraps_to_one() -> None:
    assert codec.next_counter(0) == 1
    assert codec.next_counter(254) == 255
    assert codec.next_counter(255) == 1


def test_bill_id_and_scaling() -> None:
    assert codec.parse_bill_id(b"KE0050A") == codec.BillId("KE", 50, "A")
    assert str(codec.BillId("KE", 50, "A")) == "KE0050A"
    assert codec.parse_bill_id(b".......") is None
    assert codec.parse_scaling(bytes([100, 0, 2])) == (100, 2)


def test_inhibit_mask() -> None:
    assert codec.inhibit_mask(frozenset({1, 2, 3, 4, 5})) == bytes([0x1F, 0])
    assert codec.inhibit_mask(frozenset({9, 16})) == bytes([0, 0x81])
    with pytest.raises(ValueError):
        codec.inhibit_mask(frozenset({17}))


TABLE = BillTable({1: 5000, 2: 10000})


@pytest.mark.parametrize("pair,event", [
    ((2, 0), CreditAccepted(2, 10000)),
    ((2, 1), BillEscrowed(2, 10000)),
    ((7, 1), BillEscrowed(7, None)),
    ((7, 0), UnknownBillStacked(7)),
    ((0, 1), BillReturned("bill returned from escrow")),
    ((0, 2), BillRejected(2, "invalid bill (validation fail)")),
    ((0, 4), BillRejected(4, "inhibited bill (on serial)")),
    ((0, 6), BillJammed(6, "bill jammed in transport (unsafe mode)")),
    ((0, 16), BillJammed(16, "bill jammed in transport (safe mode)")),
    ((0, 18), FraudAttempt(18, "string fraud detected")),
    ((0, 14), DeviceFault(14, "stacker full")),
    ((0, 21), UnknownBillStacked(0)),
    ((0, 10), StatusReport(10, "stacker OK")),
    ((0, 99), StatusReport(99, "unknown status event 99")),
])
def test_events_valued_through_the_bill_table(pair: tuple[int, int], event: object) -> None:
    assert to_event(pair, TABLE) == event


@pytest.mark.parametrize("values", [{0: 100}, {17: 100}, {1: 0}, {1: -5}, {1: 50.0}])
def test_bad_bill_table(values: dict[int, object]) -> None:
    with pytest.raises(CashError) as caught:
        BillTable(values)  # type: ignore[arg-type]
    assert caught.value.code == "CASH_SETTINGS_INVALID"


# ------------------------------------------------------------------ fuzz
packets = st.builds(codec.Packet, dest=st.integers(0, 255), src=st.integers(0, 255),
                    header=st.integers(0, 255), data=st.binary(max_size=252))


@pytest.mark.slow
@given(packets)
def test_packet_roundtrip(packet: codec.Packet) -> None:
    assert codec.decode_packet(codec.encode_packet(packet)) == packet


@pytest.mark.slow
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_packet_or_a_cash_error(raw: bytes) -> None:
    try:
        packet = codec.decode_packet(raw)
    except CashError:
        return
    assert codec.encode_packet(packet) == raw


@pytest.mark.slow
@given(packets, st.data())
def test_one_changed_byte_never_passes(packet: codec.Packet, data: st.DataObject) -> None:
    raw = codec.encode_packet(packet)
    pos = data.draw(st.integers(0, len(raw) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[pos]))
    with pytest.raises(CashError):
        codec.decode_packet(raw[:pos] + bytes([new]) + raw[pos + 1:])


@pytest.mark.slow
@given(st.integers(0, 255), st.integers(1, 5), st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255)),
                                                       min_size=5, max_size=5))
def test_events_since_takes_exactly_the_new_ones(last: int, new: int, pairs: list[tuple[int, int]]) -> None:
    counter = last
    for _ in range(new):
        counter = codec.next_counter(counter)
    buffer = codec.decode_bill_events(codec.encode_bill_events(counter, pairs))
    assert codec.events_since(last, buffer) == list(reversed(pairs[:new]))


@pytest.mark.slow
@given(st.lists(st.binary(max_size=40), max_size=8))
def test_simulated_validator_survives_any_bytes(chunks: list[bytes]) -> None:
    device = SimulatedBillValidator()
    for chunk in chunks:
        assert isinstance(device.feed(chunk), bytes)
    device.reset_input()
    reply = codec.decode_packet(device.feed(codec.build_request(codec.SIMPLE_POLL)))
    assert reply == codec.Packet(codec.HOST_ADDRESS, codec.BILL_VALIDATOR_ADDRESS, codec.ACK)
