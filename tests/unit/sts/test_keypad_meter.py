"""The keypad meter simulator: following sales and management tokens to the meter."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from hardware.sts import (
    KeypadMeter,
    MeterKeyData,
    TidError,
    TokenRejected,
    TokenRequestError,
    amount_exact_floor,
    generate_credit_token,
    generate_key_change_tokens,
    generate_management_token,
    generate_test_token,
    make_pan,
    tid_from_datetime,
)

from .conftest import module_of

SM = module_of("abababababababab")
SM4 = module_of("abababababababab949494949494949401234567")
METER = MeterKeyData(pan=make_pan("01234567890"), sgc=123456, ti=1, krn=1)
T0 = datetime(2020, 6, 1, 9, 0)


def fresh(meter: MeterKeyData = METER, **kwargs: int) -> KeypadMeter:
    sm = SM if meter.dkga == 2 else SM4
    return KeypadMeter(meter, sm.decoder_key(meter), **kwargs)


def rejected(meter: KeypadMeter, digits: str) -> str:
    with pytest.raises(TokenRejected) as caught:
        meter.enter(digits)
    return caught.value.code


def test_a_sale_reaches_the_meter_and_cannot_be_used_twice() -> None:
    meter = fresh()
    energy = amount_exact_floor(5651)  # 56.51 kWh paid for: 56.5 kWh on the token
    token = generate_credit_token(SM, METER, 0, energy // 10, T0)
    assert meter.enter(token.digits).credit_added == 565
    assert meter.credit == 565
    assert rejected(meter, token.digits) == "TOKEN_USED"
    assert meter.credit == 565


def test_two_tokens_in_one_minute_both_load() -> None:
    meter = fresh()
    first = generate_credit_token(SM, METER, 0, 10, T0)
    second = generate_credit_token(SM, METER, 0, 20, T0, last_tid=first.tid)
    assert second.tid == first.tid + 1
    meter.enter(first.digits)
    meter.enter(second.digits)
    assert meter.credit == 30


def test_a_token_for_another_meter_is_refused() -> None:
    other = replace(METER, pan=make_pan("01234567891"))
    token = generate_credit_token(SM, other, 0, 100, T0)
    meter = fresh()
    assert rejected(meter, token.digits) == "TOKEN_CRC"
    assert rejected(meter, token.digits[:-1] + str((int(token.digits[-1]) + 1) % 10)) in {
        "TOKEN_CRC", "TOKEN_CLASS", "TOKEN_FORMAT"}
    assert meter.credit == 0


def test_the_tid_store_forgets_only_the_oldest() -> None:
    meter = fresh(tid_store_size=3)
    tokens = {m: generate_credit_token(SM, METER, 0, 1, T0 + timedelta(minutes=m))
              for m in (5, 10, 15, 20, 25, 30)}
    for m in (10, 20, 30):
        meter.enter(tokens[m].digits)
    assert rejected(meter, tokens[5].digits) == "TOKEN_OLD"
    meter.enter(tokens[25].digits)  # newer than the oldest: accepted, 10 drops out
    assert meter.tid_store == [tid_from_datetime(T0 + timedelta(minutes=m)) for m in (20, 25, 30)]
    assert rejected(meter, tokens[15].digits) == "TOKEN_OLD"
    assert rejected(meter, tokens[20].digits) == "TOKEN_USED"
    assert meter.credit == 4


def test_an_expired_key_refuses_tokens() -> None:
    short = replace(METER, ken=tid_from_datetime(T0) >> 16)
    meter = KeypadMeter.for_meter(SM, short)
    meter.enter(generate_credit_token(SM, short, 0, 1, T0).digits)
    later = T0 + timedelta(minutes=1 << 16)
    with pytest.raises(TidError) as caught:  # the vending side refuses first
        generate_credit_token(SM, short, 0, 1, later)
    assert caught.value.code == "KEY_EXPIRED"
    # a token made with the meter's key data before its expiry was lowered
    token = generate_credit_token(SM, replace(short, ken=255), 0, 1, later)
    assert rejected(meter, token.digits) == "KEY_EXPIRED"


def test_management_tokens() -> None:
    meter = fresh(credit=500)
    meter.tamper = True
    steps = [(0, 5000), (2, 77), (6, 1200), (5, 0), (1, 0xFFFF)]
    for i, (subclass, value) in enumerate(steps):
        meter.enter(generate_management_token(SM, METER, subclass, value,
                                              T0 + timedelta(minutes=i)).digits)
    assert (meter.max_power_limit, meter.tariff_rate, meter.phase_unbalance_limit) == (
        5000, 77, 1200)
    assert meter.tamper is False and meter.credit == 0


def test_test_tokens_change_nothing() -> None:
    meter = fresh(credit=7)
    response = meter.enter(generate_test_token(0, 1).digits)
    assert response.token.token_class == 1 and meter.credit == 7


def test_key_change_with_base_date_rollover() -> None:
    old = MeterKeyData(pan=METER.pan, sgc=123457, ti=1, krn=1, dkga=4, ea=11)
    new = replace(old, krn=2, ti=3, base_date=2014)
    meter = fresh(old)
    meter.enter(generate_credit_token(SM4, old, 0, 10, datetime(2010, 1, 1)).digits)
    tokens = generate_key_change_tokens(SM4, old, new)
    assert len(tokens) == 4
    for token in reversed(tokens[1:]):  # sections in any order
        assert not meter.enter(token.digits).key_changed
    assert meter.enter(tokens[0].digits).key_changed
    assert meter.meter == new and meter.tid_store == []
    assert rejected(meter, generate_credit_token(SM4, old, 0, 1, datetime(2011, 1, 1)).digits) \
        == "TOKEN_CRC"
    meter.enter(generate_credit_token(SM4, new, 0, 25, datetime(2014, 2, 1)).digits)
    assert meter.credit == 35


def test_a_partial_key_change_is_dropped_by_another_token() -> None:
    new = replace(METER, krn=2)
    meter = fresh()
    first, second = generate_key_change_tokens(SM, METER, new)
    meter.enter(first.digits)
    meter.enter(generate_credit_token(SM, METER, 0, 1, T0).digits)
    assert not meter.enter(second.digits).key_changed
    assert meter.meter == METER
    assert meter.enter(first.digits).key_changed and meter.meter == new


def test_key_change_requests_that_make_no_sense_are_refused() -> None:
    cases = [
        (METER, replace(METER, ea=11, dkga=4)),  # another encryption algorithm
        (METER, replace(METER, pan=make_pan("99999999999"))),  # another meter
        (replace(METER, base_date=2035), replace(METER, base_date=2014)),  # back in time
    ]
    for old, new in cases:
        with pytest.raises(TokenRequestError) as caught:
            generate_key_change_tokens(SM, old, new)
        assert caught.value.code == "TOKEN_REQUEST_INVALID"


def test_an_expired_key_still_takes_a_key_change() -> None:
    expired = replace(METER, ken=0)
    meter = fresh(expired)
    late = generate_credit_token(SM, replace(expired, ken=255), 0, 1, T0)
    assert rejected(meter, late.digits) == "KEY_EXPIRED"
    renewed = replace(expired, krn=2, ken=255)
    for token in generate_key_change_tokens(SM, expired, renewed):
        meter.enter(token.digits)
    assert meter.meter == renewed
    meter.enter(generate_credit_token(SM, renewed, 0, 1, T0).digits)
    assert meter.credit == 1
