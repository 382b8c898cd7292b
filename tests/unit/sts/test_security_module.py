"""Security modules: key files, no key in logs, and a hardware module plugging in."""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from hardware.sts import (
    DecoderKey,
    MeterKeyData,
    SecurityModule,
    SecurityModuleError,
    SoftwareSecurityModule,
    VendingKey,
    decode_with_module,
    generate_credit_token,
    generate_key_change_tokens,
)

KEY_HEX = "abababababababab949494949494949401234567"
METER = MeterKeyData(pan="600727000000000009", sgc=123457, ti=1, krn=1, dkga=4, ea=11)


def key_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "vending.key"
    path.write_text(text)
    path.chmod(mode)
    return path


def code_of(path: Path) -> str:
    with pytest.raises(SecurityModuleError) as caught:
        SoftwareSecurityModule.from_key_file(path)
    return caught.value.code


def test_key_file_readable_only_by_the_service_user(tmp_path: Path) -> None:
    sm = SoftwareSecurityModule.from_key_file(key_file(tmp_path, KEY_HEX + "\n"))
    assert KEY_HEX not in repr(sm) and "ab" not in repr(sm.decoder_key(METER))
    assert code_of(key_file(tmp_path, KEY_HEX, 0o640)) == "KEY_FILE_PERMISSIONS"
    assert code_of(key_file(tmp_path, KEY_HEX, 0o604)) == "KEY_FILE_PERMISSIONS"
    assert code_of(tmp_path / "missing.key") == "KEY_FILE_MISSING"
    assert code_of(key_file(tmp_path, "not hex")) == "KEY_FILE_FORMAT"
    assert code_of(key_file(tmp_path, KEY_HEX + "\n" + KEY_HEX)) == "KEY_FILE_FORMAT"
    assert code_of(key_file(tmp_path, "abcd")) == "KEY_FILE_FORMAT"
    assert code_of(tmp_path) == "KEY_FILE_FORMAT"


def test_keys_never_reach_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hardware.sts")
    sm = SoftwareSecurityModule.from_key_file(key_file(tmp_path, KEY_HEX))
    new = MeterKeyData(pan=METER.pan, sgc=123457, ti=2, krn=2, dkga=4, ea=11)
    generate_credit_token(sm, METER, 0, 10, datetime(2004, 1, 1))
    generate_key_change_tokens(sm, METER, new)
    secrets = [KEY_HEX, sm.decoder_key(METER).secret.hex(), sm.decoder_key(new).secret.hex()]
    text = caplog.text.lower()
    assert "600727000000000009" in text  # it does log what it did
    assert not any(secret in text for secret in secrets)


def test_a_key_of_the_wrong_length_is_refused() -> None:
    short = SoftwareSecurityModule(VendingKey(bytes.fromhex("abababababababab")))
    with pytest.raises(SecurityModuleError) as caught:
        generate_credit_token(short, METER, 0, 1, datetime(2004, 1, 1))
    assert caught.value.code == "VENDING_KEY_INVALID"


class FakeHardwareModule(SecurityModule):
    """Stands for a hardware module: it encrypts and decrypts on request, and
    refuses to give out decoder keys (the base class's default)."""

    def __init__(self) -> None:
        self._inside = SoftwareSecurityModule(VendingKey(bytes.fromhex(KEY_HEX)))
        self.commands: list[str] = []

    def _encrypt_block(self, meter: MeterKeyData, block: int) -> int:
        self.commands.append("encrypt")
        return self._inside.encrypt_block(meter, block)

    def _decrypt_block(self, meter: MeterKeyData, block: int) -> int:
        self.commands.append("decrypt")
        return self._inside.decrypt_block(meter, block)

    def _key_change_blocks(self, old: MeterKeyData, new: MeterKeyData) -> tuple[int, ...]:
        self.commands.append("key change")
        return self._inside.key_change_blocks(old, new)


def test_a_hardware_module_plugs_in() -> None:
    hsm = FakeHardwareModule()
    token = generate_credit_token(hsm, METER, 0, 1, datetime(2004, 3, 1, 13, 0), 5)
    assert token.digits == "59386323472137426967"  # 531-1-0-04 CTSA01 step 1
    assert decode_with_module(hsm, METER, token.digits).value == 1
    assert hsm.commands == ["encrypt", "decrypt"]
    with pytest.raises(SecurityModuleError) as caught:
        hsm.decoder_key(METER)
    assert caught.value.code == "DECODER_KEY_NOT_EXPORTABLE"
    assert "hidden" in repr(DecoderKey(bytes(8))) and "hidden" in repr(VendingKey(bytes(8)))
