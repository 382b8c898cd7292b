"""Terminal settings: TOML read once into typed settings.

Precedence: environment > file > default. Every key can be set from the
environment as ``PPMS_<SECTION>_<KEY>`` (``PPMS_PRINTER_TYPE=dummy``); the
database path also as ``PPMS_DB`` (cli.md). A missing required key or a bad
value fails at start-up with the key's name (CONFIG_INVALID).
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from terminal.domain.errors import PpmsError

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "terminal.toml"


class ConfigInvalid(PpmsError):
    code = "CONFIG_INVALID"


@dataclass(frozen=True)
class TerminalSection:
    id: str = ""
    name: str = "PPMS terminal"
    utility: str = "PPMS Utility"


@dataclass(frozen=True)
class DatabaseSection:
    path: str = ""
    busy_timeout_s: float = 5.0   # how long a write waits for another writer's lock, then LEDGER_BUSY


@dataclass(frozen=True)
class CardReaderSection:
    type: str = "emulated"
    reader: str = "Virtual PCD 00 00"
    profile: str = "acr39"
    utility_code: int = 1
    secret_file: str = ""


@dataclass(frozen=True)
class PrinterSection:
    type: str = "file"
    path: str = "receipts.bin"
    host: str = "127.0.0.1"
    port: int = 9100
    device: str = ""
    baudrate: int = 19200
    parity: str = "N"
    flow_control: str = "none"
    vendor: str = ""
    product: str = ""
    profile: str = ""
    timeout_s: float = 5.0
    dummy_status: str = "ok"
    paper_width_mm: int = 80
    print_on_sale: bool = False
    invoice_format: str = ""
    verify_key_file: str = ""


@dataclass(frozen=True)
class StsSection:
    key_file: str = ""
    iin: str = "600727"


@dataclass(frozen=True)
class SecuritySection:
    lockout_attempts: int = 5


@dataclass(frozen=True)
class MeterBusSection:
    """The RS-485 meter reading bus (DL/T 645-2007): `ppms meter read-batch`, `ports`."""
    port: str = ""                   # "" = no meter bus configured
    baudrate: int = 2400
    parity: str = "E"                # DL/T 645 is 8E1; ptys refuse even parity: use "N" there
    timeout_s: float = 1.0
    retries: int = 2


@dataclass(frozen=True)
class CashAcceptorSection:
    """The self-service note acceptor (ccTalk bill validator)."""
    type: str = "none"               # "none" or "cctalk"
    port: str = ""
    address: int = 40                # the validator's ccTalk address
    baudrate: int = 9600
    timeout_s: float = 0.5
    poll_interval_s: float = 0.2
    idle_timeout_s: float = 60.0     # the customer's time to insert the next note
    bills: dict[str, str] = field(default_factory=dict)  # bill type -> value, {"1" = "50.00"}
    verify_bills: bool = True        # check the table against the validator's bill ids first


@dataclass(frozen=True)
class Settings:
    terminal: TerminalSection = field(default_factory=TerminalSection)
    database: DatabaseSection = field(default_factory=DatabaseSection)
    card_reader: CardReaderSection = field(default_factory=CardReaderSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    sts: StsSection = field(default_factory=StsSection)
    security: SecuritySection = field(default_factory=SecuritySection)
    meter_bus: MeterBusSection = field(default_factory=MeterBusSection)
    cash_acceptor: CashAcceptorSection = field(default_factory=CashAcceptorSection)
    source: str = ""


REQUIRED = ("terminal.id", "database.path")
CHOICES = {
    "card_reader.type": ("pcsc", "emulated"),
    "card_reader.profile": ("acr38", "acr39"),
    "printer.type": ("usb", "serial", "network", "file", "dummy", "none"),
    "printer.paper_width_mm": (58, 80),
    "meter_bus.parity": ("N", "E", "O"),
    "cash_acceptor.type": ("none", "cctalk"),
}


def _coerce(key: str, raw: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("1", "true", "yes", "0", "false", "no"):
            return raw.lower() in ("1", "true", "yes")
    elif kind is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip()):
            return int(raw)
    elif kind is str and isinstance(raw, (str, int)) and not isinstance(raw, bool):
        return str(raw)
    elif kind is float:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw > 0:
            return float(raw)
        if isinstance(raw, str) and re.fullmatch(r"\d+(\.\d+)?", raw.strip()) and float(raw) > 0:
            return float(raw)
    elif kind is dict:
        # a TOML table of strings, or from the environment "1=50.00,2=100.00"
        if isinstance(raw, str):
            pairs = [p.partition("=") for p in raw.split(",") if p.strip()]
            if all(sep for _, sep, _ in pairs):
                return {k.strip(): v.strip() for k, _, v in pairs}
        elif isinstance(raw, dict) and all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                           for v in raw.values()):
            return {str(k): str(v) for k, v in raw.items()}
    expected = {"float": "a positive number", "dict": "a table of strings"}.get(kind.__name__, kind.__name__)
    raise ConfigInvalid(f"setting {key} has a bad value {raw!r} (expected {expected})", key=key)


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = Path(path or env.get("PPMS_CONFIG") or DEFAULT_CONFIG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigInvalid(f"config file {path} not found", key="--config") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigInvalid(f"config file {path} is not valid TOML: {exc}", key=str(path)) from None
    sections: dict[str, Any] = {}
    for sec in fields(Settings):
        if sec.name == "source":
            continue
        factory: Any = sec.default_factory   # every section field has one (a dataclass)
        cls = factory()
        raw_sec = data.get(sec.name, {})
        if not isinstance(raw_sec, dict):
            raise ConfigInvalid(f"[{sec.name}] must be a table", key=sec.name)
        unknown = set(raw_sec) - {f.name for f in fields(cls)}
        if unknown:
            key = f"{sec.name}.{sorted(unknown)[0]}"
            raise ConfigInvalid(f"unknown setting {key}", key=key)
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = f"{sec.name}.{f.name}"
            kind = type(getattr(cls, f.name))
            raw = env.get(f"PPMS_{sec.name}_{f.name}".upper(), raw_sec.get(f.name))
            if key == "database.path" and env.get("PPMS_DB"):
                raw = env["PPMS_DB"]
            value = getattr(cls, f.name) if raw is None else _coerce(key, raw, kind)
            if key in REQUIRED and value in ("", None):
                raise ConfigInvalid(f"required setting {key} is missing", key=key)
            if key in CHOICES and value not in CHOICES[key]:
                raise ConfigInvalid(f"setting {key} must be one of {CHOICES[key]}, not {value!r}", key=key)
            values[f.name] = value
        sections[sec.name] = type(cls)(**values)
    if not re.fullmatch(r"[A-Z0-9]{1,8}", sections["terminal"].id):
        raise ConfigInvalid("setting terminal.id must be 1-8 capital letters or digits", key="terminal.id")
    for name, attr in (("printer", "path"), ("printer", "invoice_format"), ("printer", "verify_key_file")):
        value = getattr(sections[name], attr)
        if value and not Path(value).is_absolute() and not (name == "printer" and attr == "path"
                                                             and sections["printer"].type != "file"):
            sections[name] = replace(sections[name], **{attr: str((path.parent / value).resolve())})
    key_file = sections["sts"].key_file
    if key_file and not Path(key_file).is_absolute():
        sections["sts"] = StsSection(key_file=str((path.parent / key_file).resolve()), iin=sections["sts"].iin)
    secret_file = sections["card_reader"].secret_file
    if secret_file and not Path(secret_file).is_absolute():
        sections["card_reader"] = replace(sections["card_reader"],
                                          secret_file=str((path.parent / secret_file).resolve()))
    if not 0 <= sections["card_reader"].utility_code <= 0xFFFFFFFF:
        raise ConfigInvalid("setting card_reader.utility_code must be 0-4294967295", key="card_reader.utility_code")
    db_path = Path(sections["database"].path)
    if not db_path.is_absolute() and not env.get("PPMS_DB"):
        sections["database"] = replace(sections["database"], path=str((path.parent / db_path).resolve()))
    return Settings(**sections, source=str(path))
