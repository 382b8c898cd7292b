"""STS token engine throughput: tokens generated (and decoded) per second.

``run()`` returns JSON-able figures; ``python benches/bench_sts.py`` prints them.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

from hardware.sts import (
    MeterKeyData,
    SoftwareSecurityModule,
    VendingKey,
    decode_token,
    generate_credit_token,
    make_pan,
)

_KEYS = {2: "abababababababab", 4: "abababababababab949494949494949401234567"}


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def _one(ea: int, dkga: int, count: int) -> dict[str, Any]:
    sm = SoftwareSecurityModule(VendingKey(bytes.fromhex(_KEYS[dkga])))
    meters = [MeterKeyData(pan=make_pan(f"{i:011d}"), sgc=123456, ti=1, krn=1, ea=ea,
                           dkga=dkga, base_date=2014) for i in range(count)]
    start = datetime(2026, 3, 5, 10, 0)
    # every token for a new meter: key derivation included (a busy day's mix)
    t0 = time.perf_counter()
    tokens = [generate_credit_token(sm, m, 0, 565, start) for m in meters]
    cold = time.perf_counter() - t0
    # tokens for one meter whose decoder key is cached in the module
    t0 = time.perf_counter()
    last = None
    for i in range(count):
        last = generate_credit_token(sm, meters[0], 0, 565, start + timedelta(minutes=i),
                                     last_tid=last.tid if last else None)
    warm = time.perf_counter() - t0
    keys = [sm.decoder_key(m) for m in meters]
    t0 = time.perf_counter()
    for meter, key, token in zip(meters, keys, tokens):
        decode_token(key, meter, token.digits)
    decode = time.perf_counter() - t0
    return {"tokens_per_s_new_meter": _rate(count, cold),
            "tokens_per_s_same_meter": _rate(count, warm),
            "decodes_per_s": _rate(count, decode)}


def run() -> dict[str, Any]:
    count = 2000
    return {"sts": {"EA07_DKGA02": _one(7, 2, count), "EA07_DKGA04": _one(7, 4, count),
                    "EA11_DKGA04": _one(11, 4, count), "tokens_per_case": count}}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
