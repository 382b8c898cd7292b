"""What ``ppms sts token`` and ``ppms sts decode`` call (the CLI only parses options).

Both return JSON-ready dicts: energy as a decimal string of kWh, times in ISO 8601.
Errors are the package's StsError subclasses, each with a stable ``code``.
"""
from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .decoder import decode_with_module
from .errors import AmountError, MeterKeyDataError, TokenRequestError
from .meter_data import MeterKeyData
from .security_module import SoftwareSecurityModule
from .token import CLASS_CREDIT, CLASS_MANAGEMENT, CLASS_TEST, DecodedToken
from .vend import generate_credit_token, generate_management_token, generate_test_token

_TENTHS = (0, 1, 2)  # class 0 subclasses counted in 0.1 units (kWh, m3, ...)


def meter_from_options(*, pan: str, sgc: int | str, ti: int | str, krn: int | str,
                       kt: int | str = 2, ea: int | str = 7, dkga: int | str = 2,
                       base_date: int | str = 1993, ken: int | str = 255) -> MeterKeyData:
    """MeterKeyData from command-line strings (``--ea 07``, ``--dkga 02`` ...)."""
    try:
        return MeterKeyData(pan=str(pan), sgc=int(sgc), ti=int(ti), krn=int(krn),
                            key_type=int(kt), ea=int(ea), dkga=int(dkga),
                            base_date=int(base_date), ken=int(ken))
    except ValueError:
        raise MeterKeyDataError("meter key options must be numbers",
                                code="METER_KEY_DATA_INVALID") from None


def parse_amount(token_class: int, subclass: int, text: str) -> int:
    """``--amount`` as token units: kWh (or m3, ...) with one decimal for class 0
    subclasses 0 to 2, otherwise a whole number (currency/time units, watts, a
    register, a rate or a test control)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise AmountError(f"{text!r} is not a number", code="AMOUNT_OUT_OF_RANGE") from None
    if token_class == CLASS_CREDIT and subclass in _TENTHS:
        number *= 10
    if number != number.to_integral_value() or number < 0:
        raise AmountError(f"{text} cannot be put on a token exactly", code="AMOUNT_NOT_EXACT")
    return int(number)


def sts_token(key_file: str | os.PathLike[str], meter: MeterKeyData, token_class: int,
              subclass: int, amount: str, issued: datetime, rnd: int | None = None,
              last_tid: int | None = None) -> dict[str, Any]:
    """Make one token; ``{"token": "20 digits", "tid": N, ...}``."""
    value = parse_amount(token_class, subclass, amount)
    if token_class == CLASS_TEST:
        token = generate_test_token(subclass, value)
    else:
        if token_class not in (CLASS_CREDIT, CLASS_MANAGEMENT):
            raise TokenRequestError(f"token class {token_class} is not made here",
                                    code="TOKEN_REQUEST_INVALID")
        sm = SoftwareSecurityModule.from_key_file(key_file)
        make = generate_credit_token if token_class == CLASS_CREDIT else generate_management_token
        token = make(sm, meter, subclass, value, issued, rnd, last_tid=last_tid)
    return {"token": token.digits, "tid": token.tid, "class": token.token_class,
            "subclass": token.subclass}


def sts_decode(key_file: str | os.PathLike[str], meter: MeterKeyData,
               digits: str) -> dict[str, Any]:
    """Verify and decode a customer's token for ``meter``."""
    sm = SoftwareSecurityModule.from_key_file(key_file)
    return decoded_json(decode_with_module(sm, meter, digits))


def decoded_json(decoded: DecodedToken) -> dict[str, Any]:
    """A decoded token as JSON: ``kwh`` for electricity credit, ``value`` otherwise."""
    out: dict[str, Any] = {"class": decoded.token_class, "subclass": decoded.subclass,
                           "kind": decoded.kind}
    if decoded.tid is not None:
        out["tid"] = decoded.tid
        out["issued"] = decoded.issued.isoformat() if decoded.issued else None
        out["rnd"] = decoded.rnd
    if decoded.value is not None:
        if decoded.token_class == CLASS_CREDIT and decoded.subclass == 0:
            out["kwh"] = f"{Decimal(decoded.value) / 10:.2f}"   # energy in JSON: two decimals (selling.md)
        else:
            out["value"] = decoded.value
    for name, number in decoded.fields.items():
        if name != "key_part":  # never print pieces of a decoder key
            out[name] = number
    return out
