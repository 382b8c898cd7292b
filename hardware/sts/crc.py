"""The token CRC of IEC 62055-41: CRC-16, polynomial x^16 + x^15 + x^2 + 1.

It is computed over the class and the 48 data bits above it (50 bits, sent as seven
bytes, most significant first), register preset to 0xFFFF, reflected
(0xA001); the two result bytes are swapped when placed in the token.
"""
from __future__ import annotations


def _table() -> tuple[int, ...]:
    rows = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        rows.append(crc)
    return tuple(rows)


_TABLE = _table()


def sts_crc(class_and_data: int) -> int:
    """CRC field for the 50-bit ``class << 48 | data48`` value."""
    crc = 0xFFFF
    for byte in class_and_data.to_bytes(7, "big"):
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return ((crc & 0xFF) << 8) | (crc >> 8)
