"""Plain values of meter reading: port settings, readings, status, batch results."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hardware.meters.errors import MeterError, MeterSettingsError

PARITIES = ("N", "E", "O")


@dataclass(frozen=True)
class PortSettings:
    """How to talk to the RS-485 bus (the seed's "Port Set").

    DL/T 645 meters speak 2400 baud 8E1 by default; ptys refuse even parity, so tests
    and the demo use ``parity="N"``.  ``timeout_s`` is the time allowed for one whole
    answer; ``retries`` the number of extra attempts after a lost or damaged answer.
    """

    port: str
    baudrate: int = 2400
    parity: str = "E"
    bytesize: int = 8
    stopbits: int = 1
    timeout_s: float = 1.0
    retries: int = 2
    preamble: int = 4  # FE wake-up bytes sent before each request

    def __post_init__(self) -> None:
        if self.parity not in PARITIES:
            raise MeterSettingsError(f"Parity must be N, E or O, not {self.parity!r}.")
        if self.baudrate <= 0 or self.timeout_s <= 0 or self.retries < 0:
            raise MeterSettingsError("Baud rate and timeout must be positive, retries >= 0.")
        if self.bytesize not in (5, 6, 7, 8) or self.stopbits not in (1, 2):
            raise MeterSettingsError("Byte size must be 5..8 and stop bits 1 or 2.")
        if not 0 <= self.preamble <= 8:
            raise MeterSettingsError("Preamble must be 0..8 FE bytes.")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> PortSettings:
        """From a config table: ``port``, ``baudrate``/``baud``, ``parity``, ``bytesize``,
        ``stopbits``, ``timeout_s``/``timeout``, ``retries``, ``preamble``.  Unknown keys
        are refused by name."""
        aliases = {"baud": "baudrate", "timeout": "timeout_s"}
        known = {"port", "baudrate", "parity", "bytesize", "stopbits", "timeout_s", "retries",
                 "preamble"}
        kwargs: dict[str, object] = {}
        for key, value in values.items():
            name = aliases.get(key, key)
            if name not in known:
                raise MeterSettingsError(f"Unknown meter port setting {key!r}.")
            kwargs[name] = value
        if "port" not in kwargs:
            raise MeterSettingsError("The meter port setting 'port' is missing.")
        try:
            return cls(**kwargs)  # type: ignore[arg-type]
        except TypeError as exc:
            raise MeterSettingsError(f"Bad meter port settings: {exc}") from exc


POWER_SUPPLY = {0: "main", 1: "auxiliary", 2: "battery", 3: "unknown"}
METER_KIND = {0: "non-prepaid", 1: "energy-prepaid", 2: "money-prepaid", 3: "unknown"}


@dataclass(frozen=True)
class MeterStatus:
    """Running status words 1 and 3 (DL/T 645-2007 04 00 05 01 / 04 00 05 03)."""

    word1: int
    word3: int

    @property
    def clock_battery_low(self) -> bool:
        return bool(self.word1 & (1 << 2))

    @property
    def reading_battery_low(self) -> bool:
        return bool(self.word1 & (1 << 3))

    @property
    def reverse_active_power(self) -> bool:
        return bool(self.word1 & (1 << 4))

    @property
    def power_supply(self) -> str:
        return POWER_SUPPLY[(self.word3 >> 1) & 0x3]

    @property
    def relay_open(self) -> bool:
        """True when the meter's relay is open (supply cut off)."""
        return bool(self.word3 & (1 << 4))

    @property
    def relay_command_open(self) -> bool:
        return bool(self.word3 & (1 << 6))

    @property
    def pre_trip_alarm(self) -> bool:
        return bool(self.word3 & (1 << 7))

    @property
    def meter_kind(self) -> str:
        return METER_KIND[(self.word3 >> 8) & 0x3]

    def to_dict(self) -> dict[str, object]:
        return {
            "word1": f"{self.word1:04X}", "word3": f"{self.word3:04X}",
            "relay_open": self.relay_open, "relay_command_open": self.relay_command_open,
            "pre_trip_alarm": self.pre_trip_alarm, "power_supply": self.power_supply,
            "meter_kind": self.meter_kind, "clock_battery_low": self.clock_battery_low,
            "reading_battery_low": self.reading_battery_low,
            "reverse_active_power": self.reverse_active_power,
        }


def _hundredths(value: int | None) -> str | None:
    return None if value is None else f"{value // 100}.{value % 100:02d}"


@dataclass(frozen=True)
class MeterReading:
    """One reading of one meter.

    Energy in integer 0.01 kWh; money in integer minor units (the meter keeps
    XXXXXX.XX of the currency).  A value the meter does not hold (it answered "no
    requested data") is ``None``: a money meter may have no remaining energy and
    the other way round.
    """

    address: str
    total_energy: int
    remaining_energy: int | None
    remaining_money: int | None
    purchase_count: int | None
    status: MeterStatus | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON form: energy and money as decimal strings (cli.md / selling.md)."""
        return {
            "address": self.address,
            "total_kwh": _hundredths(self.total_energy),
            "remaining_kwh": _hundredths(self.remaining_energy),
            "remaining_money": _hundredths(self.remaining_money),
            "purchase_count": self.purchase_count,
            "status": None if self.status is None else self.status.to_dict(),
        }

    def to_text(self) -> str:
        """Plain lines for ``ppms meter read`` without ``--json``."""
        def show(value: str | None, unit: str) -> str:
            return "not kept by this meter" if value is None else f"{value} {unit}".strip()

        lines = [
            f"Meter address:    {self.address}",
            f"Total energy:     {show(_hundredths(self.total_energy), 'kWh')}",
            f"Remaining energy: {show(_hundredths(self.remaining_energy), 'kWh')}",
            f"Remaining money:  {show(_hundredths(self.remaining_money), '')}",
            f"Purchase count:   {'unknown' if self.purchase_count is None else self.purchase_count}",
        ]
        if self.status is not None:
            lines.append(f"Relay:            {'open (supply off)' if self.status.relay_open else 'closed'}")
        return "\n".join(lines)


@dataclass(frozen=True)
class BatchResult:
    """The outcome for one meter of a batch: a reading or the error that stopped it."""

    address: str
    reading: MeterReading | None = None
    error: MeterError | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.reading is not None

    @property
    def error_code(self) -> str | None:
        return None if self.error is None else self.error.code
