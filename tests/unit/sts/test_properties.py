"""Property tests: round trips, and random digits rejected but at the CRC's rate."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.sts import (
    AMOUNT_MAX,
    MeterKeyData,
    TokenRejected,
    decode_amount,
    decode_token,
    encode_amount,
    generate_credit_token,
    generate_management_token,
    generate_test_token,
    make_pan,
)
from hardware.sts.token import from_digits, seal, tid_block, to_digits

from .conftest import module_of

SM2 = module_of("abababababababab")
SM4 = module_of("abababababababab949494949494949401234567")
METERS = [
    MeterKeyData(pan="600727000000000009", sgc=123456, ti=1, krn=1),
    MeterKeyData(pan=make_pan("12345678901"), sgc=654321, ti=7, krn=3, dkga=4, base_date=2014),
    MeterKeyData(pan=make_pan("55555555555"), sgc=111111, ti=2, krn=2, dkga=4, ea=11,
                 base_date=2014),
]
amounts = st.integers(0, 0xFFFF).map(decode_amount)
minutes = st.integers(0, (1 << 24) - 1)


def issued_at(meter: MeterKeyData, minute: int) -> datetime:
    return datetime(meter.base_date, 1, 1) + timedelta(minutes=minute, seconds=minute % 60)


def module(meter: MeterKeyData):
    return SM2 if meter.dkga == 2 else SM4


@given(st.sampled_from(METERS), st.integers(0, 7), amounts, minutes, st.integers(0, 15))
def test_credit_round_trip(meter: MeterKeyData, subclass: int, amount: int, minute: int,
                           rnd: int) -> None:
    sm = module(meter)
    issued = issued_at(meter, minute)
    token = generate_credit_token(sm, meter, subclass, amount, issued, rnd)
    decoded = decode_token(sm.decoder_key(meter), meter, token.digits)
    assert (decoded.token_class, decoded.subclass, decoded.value, decoded.rnd) == (
        0, subclass, amount, rnd)
    assert decoded.issued is not None
    assert decoded.issued.replace(tzinfo=None) == issued.replace(second=0)
    assert decoded.tid == token.tid == minute


@given(st.sampled_from(METERS), st.sampled_from([1, 2, 5, 7]), st.integers(0, 0xFFFF), minutes)
def test_management_round_trip(meter: MeterKeyData, subclass: int, value: int,
                               minute: int) -> None:
    sm = module(meter)
    token = generate_management_token(sm, meter, subclass, value, issued_at(meter, minute))
    decoded = decode_token(sm.decoder_key(meter), meter, token.digits)
    assert (decoded.token_class, decoded.subclass, decoded.value, decoded.tid) == (
        2, subclass, value, token.tid)


@given(st.integers(0, 3), st.integers(0, (1 << 64) - 1))
def test_digits_round_trip(token_class: int, block: int) -> None:
    assert from_digits(to_digits(token_class, block)) == (token_class, block)


def assert_rejected_or_consistent(meter: MeterKeyData, digits: str) -> None:
    """``digits`` either fail with a token error or decode to fields that make the
    same digits again: the decoder never accepts half-checked input."""
    sm = module(meter)
    try:
        decoded = decode_token(sm.decoder_key(meter), meter, digits)
    except TokenRejected as rejected:
        assert rejected.code in {"TOKEN_FORMAT", "TOKEN_CRC", "TOKEN_CLASS"}
        return
    if decoded.token_class == 1:
        again = generate_test_token(decoded.subclass, decoded.fields["control"],
                                    decoded.fields["manufacturer"]).digits
    elif decoded.tid is not None and decoded.value is not None and decoded.rnd is not None:
        field = decoded.value
        if decoded.token_class == 0 or decoded.subclass in (0, 6):
            field = encode_amount(decoded.value)
        block = tid_block(decoded.token_class, decoded.subclass, decoded.rnd, decoded.tid, field)
        again = to_digits(decoded.token_class, sm.encrypt_block(meter, block))
    else:  # a key change section: its fields are checked by the key change vectors
        assert decoded.subclass in (3, 4, 8, 9)
        return
    assert again == digits


@given(st.sampled_from(METERS), st.text("0123456789", min_size=20, max_size=20))
def test_random_digits_are_rejected_or_consistent(meter: MeterKeyData, digits: str) -> None:
    assert_rejected_or_consistent(meter, digits)


@given(st.sampled_from(METERS), st.integers(0, 2), st.integers(0, (1 << 48) - 1))
def test_any_block_with_a_good_crc_decodes_consistently(meter: MeterKeyData, token_class: int,
                                                        data: int) -> None:
    block = seal(token_class, data)
    if token_class != 1:
        block = module(meter).encrypt_block(meter, block)
    assert_rejected_or_consistent(meter, to_digits(token_class, block))


@pytest.mark.slow
def test_random_tokens_pass_only_at_the_crc_rate(soak_long: bool) -> None:
    """A 16-bit CRC lets about 1 in 65536 random blocks through. Of N random
    66-bit numbers (classes 0, 1, 2 are checked; class 3 never passes), expect
    N * 3/4 / 65536 accepted; allow a generous Poisson margin."""
    rng = random.Random(62055)
    n = 400_000 if soak_long else 40_000
    meter = METERS[0]
    key = SM2.decoder_key(meter)
    accepted = 0
    for _ in range(n):
        try:
            decode_token(key, meter, f"{rng.getrandbits(66):020d}")
            accepted += 1
        except TokenRejected:
            pass
    expected = n * 0.75 / 65536
    assert accepted <= expected * 4 + 6, (accepted, expected)


def test_a_typing_error_is_caught() -> None:
    meter = METERS[0]
    token = generate_credit_token(SM2, meter, 0, 1234, datetime(2020, 5, 5, 12, 0), 3)
    key = SM2.decoder_key(meter)
    caught = 0
    for position in range(20):
        for delta in (1, 5):
            digit = (int(token.digits[position]) + delta) % 10
            typo = token.digits[:position] + str(digit) + token.digits[position + 1:]
            with pytest.raises(TokenRejected):
                decode_token(key, meter, typo)
            caught += 1
    assert caught == 40


def test_wrong_meter_key_is_rejected() -> None:
    meter, other = METERS[0], MeterKeyData(pan=make_pan("00000000019"), sgc=123456, ti=1, krn=1)
    token = generate_credit_token(SM2, meter, 0, 100, datetime(2020, 1, 1) + timedelta(hours=1))
    with pytest.raises(TokenRejected) as caught:
        decode_token(SM2.decoder_key(other), other, token.digits)
    assert caught.value.code == "TOKEN_CRC"


def test_formats() -> None:
    key = SM2.decoder_key(METERS[0])
    for bad in ("1234", "x" * 20, "99999999999999999999", "٠" * 20):
        with pytest.raises(TokenRejected) as caught:
            decode_token(key, METERS[0], bad)
        assert caught.value.code == "TOKEN_FORMAT"
    assert AMOUNT_MAX == 18201624
