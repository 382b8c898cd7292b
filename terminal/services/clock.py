"""The terminal's clock. Times are local wall-clock ISO strings to the second."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from terminal.services.errors import InvalidArgument


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)


@dataclass
class FixedClock:
    """A clock for tests and demos (PPMS_FAKE_NOW); `advance` moves it on."""
    at: datetime

    def now(self) -> datetime:
        return self.at


def parse_fake_now(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(microsecond=0, tzinfo=None)
    except ValueError:
        raise InvalidArgument(f"PPMS_FAKE_NOW {text!r} is not an ISO date-time", key="PPMS_FAKE_NOW") from None


def iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat(timespec="seconds")
