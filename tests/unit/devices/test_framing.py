"""The one framing buffer (hardware.framing) under both protocols: DL/T 645 and ccTalk."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.cash import codec as cc
from hardware.framing import FrameBuffer, Scan
from hardware.meters import codec as dlt

REPLY = dlt.build_read_reply("000000000001", dlt.DI_TOTAL_FORWARD_ACTIVE, b"\x05\x00\x00\x00")
REQUEST = dlt.build_read_request("1", dlt.DI_TOTAL_FORWARD_ACTIVE)
POLL = cc.build_request(cc.SIMPLE_POLL)
ACK = cc.build_reply()
BUS = frozenset({cc.HOST_ADDRESS, cc.BILL_VALIDATOR_ADDRESS})


def replies() -> FrameBuffer[dlt.Frame]:
    return dlt.frame_buffer(accept=lambda frame: frame.is_reply)


def host_side() -> FrameBuffer[cc.Packet]:
    return cc.packet_buffer(BUS, accept=lambda p: p.src == cc.BILL_VALIDATOR_ADDRESS)


def test_a_frame_fed_one_byte_at_a_time_comes_out_once_whole() -> None:
    for buffer, raw in ((replies(), REPLY), (host_side(), ACK)):
        out = []
        for byte in raw:
            buffer.feed(bytes([byte]))
            frame = buffer.next_frame()
            if frame is not None:
                out.append(frame)
        assert len(out) == 1 and buffer.held == b"" and buffer.trouble is None


def test_our_own_request_echoed_is_skipped() -> None:
    meters = replies()
    meters.feed(REQUEST + REPLY)
    assert meters.next_frame() == dlt.decode_frame(REPLY) and meters.skipped == 1
    cash = host_side()
    cash.feed(POLL + ACK)
    assert cash.next_frame() == cc.Packet(cc.HOST_ADDRESS, cc.BILL_VALIDATOR_ADDRESS, cc.ACK)
    assert cash.skipped == 1


def test_only_an_echo_is_no_trouble_at_all() -> None:
    buffer = replies()
    buffer.feed(REQUEST)
    assert buffer.next_frame() is None and buffer.trouble is None and buffer.skipped == 1


@pytest.mark.parametrize("junk", [b"\x00\x68\xff\x13\x37\x16", b"\x68" * 9, b"\x16\xfe\x68\x01"])
def test_garbage_before_a_dlt645_frame(junk: bytes) -> None:
    buffer = replies()
    buffer.feed(junk + REPLY)
    assert buffer.next_frame() == dlt.decode_frame(REPLY)


@pytest.mark.parametrize("junk", [b"\x00\xff\x13", b"\x28\x01", b"\x01\x09\x28\x00\x00", b"\x28\xfe"])
def test_garbage_before_a_cctalk_packet(junk: bytes) -> None:
    buffer = host_side()
    buffer.feed(junk + ACK)
    assert buffer.next_frame() == cc.decode_packet(ACK)


def test_two_frames_in_one_chunk_come_out_in_order() -> None:
    other = dlt.build_read_reply("000000000002", dlt.DI_TOTAL_FORWARD_ACTIVE, b"\x07\x00\x00\x00")
    buffer = replies()
    buffer.feed(REPLY + other)
    assert [f.address for f in buffer.frames()] == ["000000000001", "000000000002"]
    events = cc.build_reply(cc.encode_bill_events(1, [(1, 0)]))
    cash = host_side()
    cash.feed(ACK + events)
    assert [p.data for p in cash.frames()] == [b"", cc.encode_bill_events(1, [(1, 0)])]


def test_a_bad_checksum_then_a_good_frame() -> None:
    damaged = REPLY[:-2] + bytes([REPLY[-2] ^ 0x5A]) + REPLY[-1:]
    buffer = replies()
    buffer.feed(damaged)
    assert buffer.next_frame() is None and buffer.trouble is Scan.CHECKSUM
    buffer.feed(REPLY)
    assert buffer.next_frame() == dlt.decode_frame(REPLY) and buffer.trouble is None
    cash = host_side()
    cash.feed(ACK[:-1] + bytes([ACK[-1] ^ 0x21]))
    assert cash.next_frame() is None and cash.trouble is Scan.CHECKSUM
    cash.feed(ACK)
    assert cash.next_frame() == cc.decode_packet(ACK)


def test_an_oversized_length_is_not_waited_for() -> None:
    # L = 0xC9 (201) is above DL/T 645's 200: not a frame start, however many bytes follow
    fake = bytes([0x68, 1, 0, 0, 0, 0, 0, 0x68, 0x91, 0xC9])
    buffer = replies()
    buffer.feed(fake)
    assert buffer.next_frame() is None and buffer.held == fake[7:]  # only the later 0x68 may start one
    buffer.feed(REPLY)
    assert buffer.next_frame() == dlt.decode_frame(REPLY)
    cash = host_side()
    cash.feed(bytes([cc.HOST_ADDRESS, 253, cc.BILL_VALIDATOR_ADDRESS]))
    assert cash.next_frame() is None and cash.held == bytes([cc.BILL_VALIDATOR_ADDRESS])
    cash.feed(ACK)
    assert cash.next_frame() == cc.decode_packet(ACK)


def test_a_frame_cut_short_is_held_and_reported() -> None:
    buffer = replies()
    buffer.feed(REPLY[:12])
    assert buffer.next_frame() is None and buffer.trouble is Scan.INCOMPLETE
    assert buffer.held == REPLY[4:12]  # the FE preamble is dropped, the frame begun kept
    buffer.clear()
    assert buffer.held == b"" and buffer.trouble is None and buffer.received == 0


# ------------------------------------------------------------------ fuzz
noise = st.binary(max_size=24)
addresses = st.text("0123456789", min_size=12, max_size=12)
frames = st.builds(dlt.Frame, address=addresses, control=st.integers(0x80, 0xFF),
                   data=st.binary(max_size=40))
packets = st.builds(cc.Packet, dest=st.just(cc.HOST_ADDRESS), src=st.just(cc.BILL_VALIDATOR_ADDRESS),
                    header=st.integers(0, 255), data=st.binary(max_size=40))


def _cut(raw: bytes, sizes: list[int]) -> list[bytes]:
    out, at = [], 0
    for size in sizes:
        out.append(raw[at:at + size])
        at += size
    return out + [raw[at:]]


@pytest.mark.slow
@given(st.lists(frames, min_size=1, max_size=4), st.lists(st.integers(1, 9), max_size=60))
def test_dlt645_frames_in_any_chunks_come_out_exactly(sent: list[dlt.Frame], sizes: list[int]) -> None:
    buffer = replies()
    got = []
    for chunk in _cut(b"".join(dlt.encode_frame(f) for f in sent), sizes):
        buffer.feed(chunk)
        got += list(buffer.frames())
    assert got == sent and buffer.held == b""


@pytest.mark.slow
@given(st.lists(packets, min_size=1, max_size=4), st.lists(st.integers(1, 9), max_size=60))
def test_cctalk_packets_in_any_chunks_come_out_exactly(sent: list[cc.Packet], sizes: list[int]) -> None:
    buffer = host_side()
    got = []
    for chunk in _cut(b"".join(cc.encode_packet(p) for p in sent), sizes):
        buffer.feed(chunk)
        got += list(buffer.frames())
    assert got == sent and buffer.held == b""


@pytest.mark.slow
@given(noise, frames)
def test_noise_never_hides_a_dlt645_frame_after_it(junk: bytes, frame: dlt.Frame) -> None:
    buffer = replies()
    buffer.feed(junk)
    list(buffer.frames())
    buffer.clear()  # what a reader does before its next request
    buffer.feed(junk + dlt.encode_frame(frame))
    assert frame in list(buffer.frames())


@pytest.mark.slow
@given(st.lists(st.binary(max_size=40), max_size=12))
def test_any_bytes_keep_the_buffer_within_one_frame(chunks: list[bytes]) -> None:
    meters, cash = replies(), cc.packet_buffer()
    for chunk in chunks:
        for buffer in (meters, cash):
            buffer.feed(chunk)
            list(buffer.frames())
    assert len(meters.held) <= dlt.HEADER_LEN + dlt.MAX_DATA_LEN + 2
    assert len(cash.held) <= 5 + cc.MAX_DATA_LEN
