"""Vending keys, decoder keys and the two decoder key generation algorithms.

DKGA02 (DES): ``DK = DES(VK, B) xor B xor VK`` where ``B`` is the PAN block xor the
control block (key type, SGC, TI, KRN, padded with F). DKGA04: HMAC-SHA-256 of the
meter's parameters under the vending key; the first 8 (EA07) or 16 (EA11) bytes.

Key bytes never appear in a repr, a log line or an error message.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Protocol

from .des import des_encrypt_block
from .errors import SecurityModuleError
from .meter_data import MeterKeyData
from .misty1 import Misty1
from .sta import StandardTransferAlgorithm


@dataclass(frozen=True)
class VendingKey:
    """A vending key (8 bytes for DKGA02, 16 to 64 bytes for DKGA04)."""

    secret: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"VendingKey(<{len(self.secret)} bytes hidden>)"

    @classmethod
    def from_hex(cls, text: str) -> VendingKey:
        try:
            secret = bytes.fromhex(text.strip())
        except ValueError:
            raise SecurityModuleError(
                "the vending key is not written as hexadecimal", code="KEY_FILE_FORMAT"
            ) from None
        if len(secret) != 8 and not 16 <= len(secret) <= 64:
            raise SecurityModuleError(
                "a vending key is 8 bytes (DKGA02) or 16 to 64 bytes (DKGA04)",
                code="KEY_FILE_FORMAT",
            )
        return cls(secret)


@dataclass(frozen=True)
class DecoderKey:
    """The key inside one meter: 8 bytes for EA07, 16 bytes for EA11."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) not in (8, 16):
            raise ValueError("a decoder key is 8 or 16 bytes")

    def __repr__(self) -> str:
        return f"DecoderKey(<{len(self.secret) * 8} bits hidden>)"

    @property
    def as_int(self) -> int:
        return int.from_bytes(self.secret, "big")

    @classmethod
    def from_int(cls, value: int, bits: int) -> DecoderKey:
        return cls(value.to_bytes(bits // 8, "big"))


class BlockCipher(Protocol):
    def encrypt(self, block: int) -> int: ...

    def decrypt(self, block: int) -> int: ...


def block_cipher(key: DecoderKey, ea: int) -> BlockCipher:
    """EA07 or EA11 under ``key``."""
    if ea == 7 and len(key.secret) == 8:
        return StandardTransferAlgorithm(key.secret)
    if ea == 11 and len(key.secret) == 16:
        return Misty1(key.secret)
    raise SecurityModuleError(
        f"a {len(key.secret) * 8}-bit decoder key does not fit encryption algorithm {ea:02d}",
        code="VENDING_KEY_INVALID",
    )


def dkga02(vending_key: VendingKey, meter: MeterKeyData) -> DecoderKey:
    """Decoder key generation algorithm 02 (DES, 64-bit keys, EA07 only)."""
    if len(vending_key.secret) != 8 or meter.ea != 7:
        raise SecurityModuleError(
            "DKGA02 needs an 8-byte vending key and an EA07 meter", code="VENDING_KEY_INVALID"
        )
    control = f"{meter.key_type:X}{meter.sgc:06d}{meter.ti:02d}{meter.krn:X}FFFFFF"
    block = bytes(a ^ b for a, b in zip(bytes.fromhex(meter.pan_block), bytes.fromhex(control)))
    encrypted = des_encrypt_block(vending_key.secret, block)
    return DecoderKey(bytes(a ^ b ^ c for a, b, c in zip(encrypted, block, vending_key.secret)))


def dkga04(vending_key: VendingKey, meter: MeterKeyData) -> DecoderKey:
    """Decoder key generation algorithm 04 (HMAC-SHA-256, 64 or 128-bit keys)."""
    if len(vending_key.secret) < 16:
        raise SecurityModuleError(
            "DKGA04 needs a vending key of at least 16 bytes", code="VENDING_KEY_INVALID"
        )
    bits = meter.decoder_key_bits
    data = b"".join((
        b"\x04\x02", b"04",
        b"\x02", f"{meter.base_date % 100:02d}".encode(),
        b"\x02", f"{meter.ea:02d}".encode(),
        b"\x02", f"{meter.ti:02d}".encode(),
        b"\x00\x04\x06", f"{meter.sgc:06d}".encode(),
        b"\x01", f"{meter.key_type:x}".encode(),
        b"\x01", f"{meter.krn:x}".encode(),
        b"\x12", meter.pan.encode(),
        bits.to_bytes(4, "big"),
    ))
    digest = hmac.new(vending_key.secret, data, hashlib.sha256).digest()
    return DecoderKey(digest[: bits // 8])


def derive_decoder_key(vending_key: VendingKey, meter: MeterKeyData) -> DecoderKey:
    """The decoder key of ``meter`` by the meter's own DKGA."""
    return dkga02(vending_key, meter) if meter.dkga == 2 else dkga04(vending_key, meter)
