"""Security modules: where vending keys live and decoder keys are used.

:class:`SecurityModule` is the interface a token generator talks to; nothing
outside it ever sees a vending key. Public methods check their input and log (the
meter's PAN and what is asked, never key bytes or blocks); subclasses implement the
``_``-prefixed hooks. :class:`SoftwareSecurityModule` keeps one vending key read
from a key file that only the service user may read; a hardware security module
plugs in as another subclass whose hooks send commands to the device.
"""
from __future__ import annotations

import logging
import os
import stat
from abc import ABC, abstractmethod
from pathlib import Path

from .errors import SecurityModuleError, TokenRequestError
from .keys import DecoderKey, VendingKey, block_cipher, derive_decoder_key
from .meter_data import MeterKeyData
from .token import key_section_blocks

log = logging.getLogger("hardware.sts")
_M64 = (1 << 64) - 1
_CACHE_SIZE = 4096  # decoder keys kept by a software module


class SecurityModule(ABC):
    """Encrypts and decrypts 64-bit token blocks for a meter without giving out keys."""

    def encrypt_block(self, meter: MeterKeyData, block: int) -> int:
        """The block encrypted under ``meter``'s decoder key (EA07 or EA11)."""
        _check_block(block)
        log.debug("encrypt block for meter %s (EA%02d, DKGA%02d)", meter.pan, meter.ea, meter.dkga)
        return self._encrypt_block(meter, block)

    def decrypt_block(self, meter: MeterKeyData, block: int) -> int:
        """The block decrypted under ``meter``'s decoder key (to verify a token)."""
        _check_block(block)
        log.debug("decrypt block for meter %s", meter.pan)
        return self._decrypt_block(meter, block)

    def key_change_blocks(self, old: MeterKeyData, new: MeterKeyData) -> tuple[int, ...]:
        """Encrypted blocks of the key change tokens moving a meter from ``old``
        to ``new`` (2 sections for a 64-bit new key, 4 for a 128-bit one)."""
        if old.pan != new.pan:
            raise TokenRequestError("a key change keeps the meter's PAN",
                                    code="TOKEN_REQUEST_INVALID")
        if new.ea != old.ea:
            raise TokenRequestError(
                "a key change keeps the meter's encryption algorithm (EA07 or EA11)",
                code="TOKEN_REQUEST_INVALID")
        if new.base_date < old.base_date:
            raise TokenRequestError("a key change cannot go back to an earlier base date",
                                    code="TOKEN_REQUEST_INVALID")
        log.info("key change for meter %s: KRN %d to %d, base date %d to %d",
                 old.pan, old.krn, new.krn, old.base_date, new.base_date)
        return self._key_change_blocks(old, new)

    def decoder_key(self, meter: MeterKeyData) -> DecoderKey:
        """The meter's decoder key, for loading a meter or its simulator. A hardware
        module refuses (DECODER_KEY_NOT_EXPORTABLE)."""
        log.info("decoder key exported for meter %s", meter.pan)
        return self._decoder_key(meter)

    @abstractmethod
    def _encrypt_block(self, meter: MeterKeyData, block: int) -> int: ...

    @abstractmethod
    def _decrypt_block(self, meter: MeterKeyData, block: int) -> int: ...

    @abstractmethod
    def _key_change_blocks(self, old: MeterKeyData, new: MeterKeyData) -> tuple[int, ...]: ...

    def _decoder_key(self, meter: MeterKeyData) -> DecoderKey:
        raise SecurityModuleError("this security module does not give out decoder keys",
                                  code="DECODER_KEY_NOT_EXPORTABLE")


def _check_block(block: int) -> None:
    if not 0 <= block <= _M64:
        raise ValueError("a token block is 64 bits")


class SoftwareSecurityModule(SecurityModule):
    """A security module in software, holding one vending key in memory."""

    def __init__(self, vending_key: VendingKey) -> None:
        self._vending_key = vending_key
        self._keys: dict[MeterKeyData, DecoderKey] = {}

    def __repr__(self) -> str:
        return "SoftwareSecurityModule(<vending key hidden>)"

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str]) -> SoftwareSecurityModule:
        """Load the vending key (hex on one line) from a file that only the service
        user can read: owned by this user, no group or other permission bits."""
        file = Path(path)
        try:
            info = file.stat()
        except FileNotFoundError:
            raise SecurityModuleError(f"no vending key file at {file}",
                                      code="KEY_FILE_MISSING") from None
        if not stat.S_ISREG(info.st_mode):
            raise SecurityModuleError(f"{file} is not a file", code="KEY_FILE_FORMAT")
        if info.st_mode & 0o077 or info.st_uid != os.geteuid():
            raise SecurityModuleError(
                f"the vending key file {file} must belong to this service user and be "
                "readable by it alone (chmod 600)", code="KEY_FILE_PERMISSIONS")
        try:
            text = file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            raise SecurityModuleError(f"the vending key file {file} cannot be read",
                                      code="KEY_FILE_FORMAT") from None
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) != 1:
            raise SecurityModuleError("the vending key file holds one line of hexadecimal",
                                      code="KEY_FILE_FORMAT")
        log.info("vending key loaded from %s", file)
        return cls(VendingKey.from_hex(lines[0]))

    def _key(self, meter: MeterKeyData) -> DecoderKey:
        key = self._keys.get(meter)
        if key is None:
            if len(self._keys) >= _CACHE_SIZE:
                del self._keys[next(iter(self._keys))]  # forget the oldest meter
            key = self._keys[meter] = derive_decoder_key(self._vending_key, meter)
        return key

    def _encrypt_block(self, meter: MeterKeyData, block: int) -> int:
        return block_cipher(self._key(meter), meter.ea).encrypt(block)

    def _decrypt_block(self, meter: MeterKeyData, block: int) -> int:
        return block_cipher(self._key(meter), meter.ea).decrypt(block)

    def _key_change_blocks(self, old: MeterKeyData, new: MeterKeyData) -> tuple[int, ...]:
        new_key = self._key(new)
        plain = key_section_blocks(
            new_key.as_int, new.decoder_key_bits, ken=new.ken, krn=new.krn,
            rollover=new.base_date != old.base_date, key_type=new.key_type, ti=new.ti,
            sgc=new.sgc)
        cipher = block_cipher(self._key(old), old.ea)
        return tuple(cipher.encrypt(block) for block in plain)

    def _decoder_key(self, meter: MeterKeyData) -> DecoderKey:
        return self._key(meter)
