"""Standard Transfer Algorithm (EA07 of IEC 62055-41): 64-bit block, 64-bit key.

Sixteen rounds of nibble substitution and bit permutation. The key is first
complemented and rotated right by 12 bits; in each round the most significant bit
of key nibble *n* chooses which of the two substitution tables replaces data nibble
*n*, then the data bits are permuted and the key rotates left by one bit.
Bit 0 is the least significant bit of the block and of the key.
"""
from __future__ import annotations

_MASK64 = (1 << 64) - 1
# substitution tables 1 and 2 and the permutation (data bit i moves to bit _PERM[i])
_SUB = (
    (14, 10, 7, 9, 12, 3, 2, 5, 13, 0, 15, 1, 4, 8, 6, 11),
    (12, 8, 2, 13, 7, 6, 1, 3, 11, 5, 9, 15, 0, 4, 10, 14),
)
_PERM = (55, 42, 10, 18, 24, 21, 44, 35, 2, 22, 56, 43, 27, 58, 9, 50,
         6, 36, 12, 61, 37, 38, 53, 16, 62, 3, 7, 4, 32, 20, 63, 25,
         51, 52, 54, 33, 49, 19, 46, 29, 48, 31, 23, 30, 41, 28, 13, 5,
         40, 60, 39, 11, 15, 17, 1, 0, 57, 34, 59, 8, 47, 14, 45, 26)
_INV_SUB = tuple(tuple(table.index(v) for v in range(16)) for table in _SUB)


def _byte_tables(perm: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """For byte position b and byte value v: where its bits land after ``perm``."""
    tables = []
    for b in range(8):
        row = []
        for v in range(256):
            out = 0
            for bit in range(8):
                if v >> bit & 1:
                    out |= 1 << perm[8 * b + bit]
            row.append(out)
        tables.append(tuple(row))
    return tuple(tables)


_PERM_BYTES = _byte_tables(_PERM)
_INV_PERM_BYTES = _byte_tables(tuple(_PERM.index(i) for i in range(64)))


def _permute(block: int, tables: tuple[tuple[int, ...], ...]) -> int:
    out = 0
    for b in range(8):
        out |= tables[b][(block >> (8 * b)) & 0xFF]
    return out


def _substitute(block: int, key: int, tables: tuple[tuple[int, ...], ...]) -> int:
    out = 0
    for n in range(16):
        shift = 4 * n
        out |= tables[(key >> (shift + 3)) & 1][(block >> shift) & 0xF] << shift
    return out


def _rotl(value: int, steps: int) -> int:
    steps %= 64
    return ((value << steps) | (value >> (64 - steps))) & _MASK64


class StandardTransferAlgorithm:
    """EA07 under one 64-bit decoder key (given big-endian, 8 bytes)."""

    __slots__ = ("_round_keys",)

    def __init__(self, key: bytes) -> None:
        if len(key) != 8:
            raise ValueError("EA07 takes an 8-byte decoder key")
        start = _rotl(~int.from_bytes(key, "big") & _MASK64, -12)
        self._round_keys = tuple(_rotl(start, i) for i in range(16))

    def __repr__(self) -> str:
        return "StandardTransferAlgorithm(<key hidden>)"

    def encrypt(self, block: int) -> int:
        for key in self._round_keys:
            block = _permute(_substitute(block, key, _SUB), _PERM_BYTES)
        return block

    def decrypt(self, block: int) -> int:
        for key in reversed(self._round_keys):
            block = _substitute(_permute(block, _INV_PERM_BYTES), key, _INV_SUB)
        return block
