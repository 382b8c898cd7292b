"""What the vending side knows of a meter's key: PAN, SGC, TI, KRN, key type, ...

The PAN (18 digits) is the IIN (usually 600727), the meter number (DRN, 11 digits)
and a Luhn check digit over both.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import MeterKeyDataError
from .tid import BASE_DATES

# key types of IEC 62055-41
KEY_TYPE_INITIALIZATION = 0  # DITK
KEY_TYPE_DEFAULT = 1  # DDTK
KEY_TYPE_UNIQUE = 2  # DUTK
KEY_TYPE_COMMON = 3  # DCTK
STS_IIN = "600727"


def luhn_digit(digits: str) -> int:
    """The Luhn check digit to append to ``digits``."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def make_pan(drn: str, iin: str = STS_IIN) -> str:
    """The 18-digit PAN of meter ``drn`` (11 digits for a 6-digit IIN)."""
    body = iin + drn
    if not body.isdigit() or len(body) != 17 or len(iin) not in (4, 6):
        raise MeterKeyDataError(
            f"meter number {drn!r} with IIN {iin!r} does not make a 17-digit PAN body",
            code="PAN_INVALID",
        )
    return body + str(luhn_digit(body))


def check_pan(pan: str) -> str:
    """``pan`` if it is 18 digits with a correct Luhn digit; PAN_INVALID otherwise."""
    if len(pan) != 18 or not pan.isdigit():
        raise MeterKeyDataError(f"PAN {pan!r} is not 18 digits", code="PAN_INVALID")
    if luhn_digit(pan[:17]) != int(pan[17]):
        raise MeterKeyDataError(
            f"PAN {pan} has a wrong check digit: is the meter number typed right?",
            code="PAN_INVALID",
        )
    return pan


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise MeterKeyDataError(what, code="METER_KEY_DATA_INVALID")


@dataclass(frozen=True)
class MeterKeyData:
    """The key parameters of one meter. ``ken`` is the key expiry number
    (255: never expires); ``ea`` 7 (STA) or 11 (MISTY1); ``dkga`` 2 or 4."""

    pan: str
    sgc: int
    ti: int
    krn: int
    key_type: int = KEY_TYPE_UNIQUE
    ea: int = 7
    dkga: int = 2
    base_date: int = 1993
    ken: int = 255

    def __post_init__(self) -> None:
        check_pan(self.pan)
        _check(0 <= self.sgc <= 999999, f"supply group code {self.sgc} is not 6 digits")
        _check(0 <= self.ti <= 99, f"tariff index {self.ti} is not 2 digits")
        _check(1 <= self.krn <= 9, f"key revision number {self.krn} is not 1 to 9")
        _check(0 <= self.key_type <= 3, f"key type {self.key_type} is not 0 to 3")
        _check(self.ea in (7, 11), f"encryption algorithm {self.ea} is not 07 or 11")
        _check(self.dkga in (2, 4), f"key generation algorithm {self.dkga} is not 02 or 04")
        _check(self.ea == 7 or self.dkga == 4, "EA11 (MISTY1) needs DKGA04 keys")
        _check(self.base_date in BASE_DATES, f"base date {self.base_date} is not 1993/2014/2035")
        _check(0 <= self.ken <= 255, f"key expiry number {self.ken} is not 0 to 255")

    @property
    def drn(self) -> str:
        """The meter number (decoder reference number) inside the PAN."""
        return self.pan[6:17]

    @property
    def pan_block(self) -> str:
        """The 16 PAN digits DKGA02 uses: the PAN without its first and check digit."""
        if self.key_type == KEY_TYPE_COMMON:
            return self.pan[1:6] + "0" * 11
        return self.pan[1:17]

    @property
    def decoder_key_bits(self) -> int:
        """64 for EA07 meters, 128 for EA11 meters."""
        return 64 if self.ea == 7 else 128
