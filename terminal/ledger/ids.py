"""Identifiers of the rows the terminal writes: UUIDs whose first 48 bits are the Unix
time in milliseconds (the layout of RFC 9562's version 7), the rest random.

Time-ordered ids land at the end of their unique indexes, so a sale touches a few
index pages instead of one random page per index on a ledger of millions of rows;
they also sort in the order they were made, which helps the center and auditors.
"""
from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")            # 80 random bits
    value = (ms & ((1 << 48) - 1)) << 80 | rand
    value = (value & ~(0xF << 76)) | (0x7 << 76)             # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)             # RFC 4122 variant
    return str(uuid.UUID(int=value))
