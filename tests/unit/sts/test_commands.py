"""The functions behind ``ppms sts token`` and ``ppms sts decode``."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from hardware.sts import AmountError, StsError
from hardware.sts.commands import (
    meter_from_options,
    parse_amount,
    sts_decode,
    sts_token,
)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "vend.key"
    path.write_text("abababababababab\n")
    path.chmod(0o600)
    return path


def test_token_and_decode(key_file: Path) -> None:
    meter = meter_from_options(pan="600727000000000009", sgc="123456", ti="01", krn="1",
                               kt="2", ea="07", dkga="02", base_date="1993")
    made = sts_token(key_file, meter, 0, 0, "0.1", datetime(2004, 3, 1, 13, 55), rnd=5)
    assert made == {"token": "23716100501183194197", "tid": 4077 * 1440 + 13 * 60 + 55, "class": 0,
                    "subclass": 0}
    decoded = sts_decode(key_file, meter, made["token"])
    assert decoded["kwh"] == "0.10" and decoded["tid"] == made["tid"]
    assert decoded["issued"].startswith("2004-03-01T13:55")
    json.dumps(decoded)
    test = sts_token(key_file, meter, 1, 0, "1", datetime(2004, 1, 1))
    assert test["token"] == "00000000000150997584"


def test_bad_input_has_codes(key_file: Path) -> None:
    meter = meter_from_options(pan="600727000000000009", sgc=1, ti=1, krn=1)
    with pytest.raises(AmountError) as caught:
        parse_amount(0, 0, "0.15")
    assert caught.value.code == "AMOUNT_NOT_EXACT"
    with pytest.raises(AmountError) as caught:
        sts_token(key_file, meter, 0, 0, "2000.0", datetime(2004, 1, 1))
    assert caught.value.code == "AMOUNT_NOT_EXACT"
    with pytest.raises(StsError) as caught_any:
        sts_decode(key_file, meter, "12345678901234567890")
    assert caught_any.value.code in {"TOKEN_CRC", "TOKEN_CLASS"}
    with pytest.raises(StsError) as caught_any:
        meter_from_options(pan="600727000000000009", sgc="x", ti=1, krn=1)
    assert caught_any.value.code == "METER_KEY_DATA_INVALID"
