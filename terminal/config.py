"""Terminal settings: TOML read once into typed settings.

Precedence: environment > file > default, except for the security settings.
A device or path key can be set from the environment as ``PPMS_<SECTION>_<KEY>``
(``PPMS_PRINTER_TYPE=dummy``); the database path also as ``PPMS_DB`` (cli.md).
A ``[security]`` key comes from the config file only: the caller's environment
must not loosen the terminal's defences, so ``PPMS_SECURITY_*`` set at all is
refused. The ledger keeps the lockout set at `ppms init` as a ceiling
(bootstrap): a config file may make it stricter, never looser.

A missing required key, an unknown section or key, a value of the wrong type
or size, or an out-of-range value fails at start-up with the key's name
(CONFIG_INVALID). The file itself is read through terminal.files (a regular
file of at most 1 MiB, UTF-8).
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
from terminal.files import parse_toml, read_text_file

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
    min_free_mb: float = 16.0     # a sale starts only with this much free on the ledger's disk, else DISK_FULL
    warn_free_mb: float = 256.0   # below this much free, each sale and `ppms check` warn (DISK_LOW) in the journal
    clock_tolerance_s: float = 300.0  # a write with the clock further behind the ledger's latest: CLOCK_BEHIND_LEDGER
    seal_key_file: str = ""          # the ledger's seal key; "" = beside the database, <path>.key


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
class SyncSection:
    """The center computer (docs/sync.md): `ppms sync now|run|status`."""
    url: str = ""                    # https://center.example:8600; "" = no center
    secret_file: str = ""            # the terminal's secret: one hex line, chmod 600
    ca_file: str = ""                # the CA that signed the center's certificate ("" = the system's)
    interval_s: float = 60.0         # the agent's pass interval
    batch_size: int = 500            # outbox rows a request
    timeout_s: float = 30.0          # one request's timeout
    backoff_max_s: float = 900.0     # the longest wait between tries while the center is unreachable


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
    sync: SyncSection = field(default_factory=SyncSection)
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
RANGES = {  # inclusive bounds of integer settings
    "security.lockout_attempts": (1, 20),
    "card_reader.utility_code": (0, 0xFFFFFFFF),
    "printer.port": (1, 65535),
    "meter_bus.retries": (0, 10),
    "cash_acceptor.address": (0, 255),
    "sync.batch_size": (1, 1000),
}
ENV_FORBIDDEN_SECTIONS = ("security",)  # from the config file only, never the caller's environment
MAX_VALUE_CHARS = 4096                   # a path, a name, a host: nothing longer is a setting


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
    elif kind is str and isinstance(raw, str):
        return raw
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


def _read(path: Path) -> dict[str, Any]:
    try:
        return parse_toml(read_text_file(path, what="config file", key="--config", error=ConfigInvalid))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigInvalid(f"config file {path} is not valid TOML: {exc}", key=str(path)) from None


def _refuse_env_security(env: Mapping[str, str]) -> None:
    for sec in ENV_FORBIDDEN_SECTIONS:
        for name in sorted(env):
            if name.startswith(f"PPMS_{sec.upper()}_"):
                key = f"{sec}.{name[len(sec) + 6:].lower()}"
                raise ConfigInvalid(f"{name} is set: [{sec}] settings come from the config file only, "
                                    "never from the environment; unset it", key=key)


def _value(key: str, raw: Any, default: Any) -> Any:
    if isinstance(raw, str) and len(raw) > MAX_VALUE_CHARS:
        raise ConfigInvalid(f"setting {key} is longer than {MAX_VALUE_CHARS} characters", key=key)
    value = default if raw is None else _coerce(key, raw, type(default))
    if key in REQUIRED and value in ("", None):
        raise ConfigInvalid(f"required setting {key} is missing", key=key)
    if key in CHOICES and value not in CHOICES[key]:
        raise ConfigInvalid(f"setting {key} must be one of {CHOICES[key]}, not {value!r}", key=key)
    if key in RANGES and not RANGES[key][0] <= value <= RANGES[key][1]:
        low, high = RANGES[key]
        raise ConfigInvalid(f"setting {key} must be {low}-{high}, not {value}", key=key)
    return value


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = Path(path or env.get("PPMS_CONFIG") or DEFAULT_CONFIG)
    _refuse_env_security(env)
    data = _read(path)
    known = {sec.name for sec in fields(Settings) if sec.name != "source"}
    for name in data:
        if name not in known:
            raise ConfigInvalid(f"unknown section [{name}] (known: {', '.join(sorted(known))})", key=name)
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
            raw = raw_sec.get(f.name)
            if sec.name not in ENV_FORBIDDEN_SECTIONS:
                raw = env.get(f"PPMS_{sec.name}_{f.name}".upper(), raw)
            if key == "database.path" and env.get("PPMS_DB"):
                raw = env["PPMS_DB"]
            values[f.name] = _value(key, raw, getattr(cls, f.name))
        sections[sec.name] = type(cls)(**values)
    if not re.fullmatch(r"[A-Z0-9]{1,8}", sections["terminal"].id):
        raise ConfigInvalid("setting terminal.id must be 1-8 capital letters or digits", key="terminal.id")
    for name, attr in (("printer", "path"), ("printer", "invoice_format"), ("printer", "verify_key_file"),
                       ("database", "seal_key_file"), ("sync", "secret_file"), ("sync", "ca_file")):
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
    db_path = Path(sections["database"].path)
    if not db_path.is_absolute() and not env.get("PPMS_DB"):
        sections["database"] = replace(sections["database"], path=str((path.parent / db_path).resolve()))
    return Settings(**sections, source=str(path))


def check_setting(key: str, raw: Any, default: Any) -> Any:
    """One setting (`section.name`) as `load_settings` reads it: coerced to the default's type,
    its choices and range checked (ConfigInvalid naming the key otherwise)."""
    return _value(key, raw, default)
