"""Amount encoding, TIDs and PANs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hardware.sts import (
    AMOUNT_MAX,
    AmountError,
    MeterKeyData,
    MeterKeyDataError,
    TidError,
    amount_exact_floor,
    check_pan,
    datetime_from_tid,
    decode_amount,
    encode_amount,
    is_exact_amount,
    make_pan,
    next_tid,
    tid_from_datetime,
)
from hardware.sts.amount import amount_exact_floor_units


@pytest.mark.parametrize(("value", "field"), [
    (0, 0), (1, 1), (16383, 0x3FFF), (16384, 1 << 14), (16394, (1 << 14) + 1),
    (180214, (1 << 14) + 16383), (180224, 2 << 14), (1818524, (2 << 14) + 16383),
    (1818624, 3 << 14), (AMOUNT_MAX, 0xFFFF),
])
def test_amount_field_boundaries(value: int, field: int) -> None:
    assert encode_amount(value) == field
    assert decode_amount(field) == value


def test_values_between_steps_are_refused_or_rounded_up() -> None:
    with pytest.raises(AmountError) as caught:
        encode_amount(20000)
    assert caught.value.code == "AMOUNT_NOT_EXACT"
    assert decode_amount(encode_amount(20000, round_up=True)) == 20004
    # rounding up at the top of a range carries into the next exponent
    assert decode_amount(encode_amount(180223, round_up=True)) == 180224
    with pytest.raises(AmountError) as caught:
        encode_amount(AMOUNT_MAX + 1)
    assert caught.value.code == "AMOUNT_OUT_OF_RANGE"


def test_every_field_round_trips() -> None:
    for field in range(0x10000):
        value = decode_amount(field)
        assert is_exact_amount(value)
        assert encode_amount(value) == field


@pytest.mark.parametrize(("centi", "floor"), [
    (0, 0), (9, 0), (10, 10), (5651, 5650), (163830, 163830), (163840, 163840),
    (163849, 163840), (163939, 163840), (163940, 163940), (200000, 199940),
    (10 ** 9, AMOUNT_MAX * 10),
])
def test_amount_exact_floor(centi: int, floor: int) -> None:
    assert amount_exact_floor(centi) == floor


def test_amount_exact_floor_never_rounds_up() -> None:
    for units in range(0, 2_000_000, 37):
        floor = amount_exact_floor_units(units)
        assert floor <= units and is_exact_amount(floor)
        assert not any(is_exact_amount(v) for v in range(floor + 1, min(units, floor + 1000) + 1))


def test_tid_minutes_since_each_base_date() -> None:
    assert tid_from_datetime(datetime(1993, 1, 1, 0, 1), 1993) == 1
    assert tid_from_datetime(datetime(2014, 1, 1, 8, 0, 59), 2014) == 480
    aware = datetime(2035, 1, 1, 3, 0, tzinfo=timezone(timedelta(hours=3)))
    assert tid_from_datetime(aware, 2035) == 0
    assert datetime_from_tid(480, 2014) == datetime(2014, 1, 1, 8, 0, tzinfo=UTC)
    with pytest.raises(TidError) as caught:
        tid_from_datetime(datetime(2013, 12, 31), 2014)
    assert caught.value.code == "TID_OUT_OF_RANGE"
    with pytest.raises(TidError):
        tid_from_datetime(datetime(2030, 1, 1), 1993)  # 24 bits of minutes run out in 2024


def test_next_tid() -> None:
    assert next_tid(None, 100) == 100
    assert next_tid(99, 100) == 100
    assert next_tid(100, 100) == 101
    with pytest.raises(TidError) as caught:
        next_tid(101, 100)
    assert caught.value.code == "CLOCK_BEHIND_LAST_TOKEN"
    assert "clock" in caught.value.message


def test_pan_luhn() -> None:
    assert make_pan("00000000000") == "600727000000000009"
    assert make_pan("00000000008", iin="000001") == "000001000000000082"
    assert check_pan("600727000000000009")
    with pytest.raises(MeterKeyDataError) as caught:
        check_pan("600727000000000008")
    assert caught.value.code == "PAN_INVALID"


def test_meter_key_data_is_checked() -> None:
    good = {"pan": "600727000000000009", "sgc": 123456, "ti": 1, "krn": 1}
    assert MeterKeyData(**good).drn == "00000000000"  # type: ignore[arg-type]
    for bad in ({"krn": 0}, {"sgc": 1000000}, {"ea": 9}, {"ea": 11, "dkga": 2},
                {"base_date": 2000}, {"ken": 256}, {"key_type": 4}):
        with pytest.raises(MeterKeyDataError) as caught:
            MeterKeyData(**{**good, **bad})  # type: ignore[arg-type]
        assert caught.value.code == "METER_KEY_DATA_INVALID"
