"""The terminal's error tree.

Every error a cashier, an agent or an import file can cause carries a stable
UPPER_SNAKE ``code`` (the contract of ``--json`` error output) and a message a
cashier understands. Extra facts for screens and scripts sit in ``details``.

::

    PpmsError                          code PPMS_ERROR (root; services subclass it)
    └── DomainError                    code DOMAIN_ERROR
        ├── AmountInvalid              AMOUNT_INVALID        malformed/negative money, too many decimals
        ├── EnergyInvalid              ENERGY_INVALID        malformed/negative kWh, too many decimals
        ├── RateInvalid                RATE_INVALID          malformed price or percentage
        ├── UnknownCurrency            UNKNOWN_CURRENCY      not an ISO 4217 code       details: currency
        ├── TariffFileInvalid          TARIFF_INVALID        details: key (dotted path), line (int|None)
        ├── ShareSplitInvalid          SHARE_SPLIT_INVALID   mixed-use split not whole percents summing to 100
        ├── AmountBelowMinimum         AMOUNT_BELOW_MINIMUM  details: minimum (int minor)
        ├── AmountTooSmall             AMOUNT_TOO_SMALL      details: needed (int minor)
        ├── EnergyAboveMaximum         ENERGY_ABOVE_MAXIMUM  details: maximum (int 0.01 kWh)
        └── IllegalSaleTransition      ILLEGAL_SALE_TRANSITION  details: old, new
"""
from __future__ import annotations

from typing import Any


class PpmsError(Exception):
    """Root of every error the terminal reports to a person or a script."""

    code: str = "PPMS_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details)

    def as_json(self) -> dict[str, Any]:
        """The ``{"code", "message"}`` object of ``--json`` error output."""
        return {"code": self.code, "message": self.message}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, details={self.details!r})"


class DomainError(PpmsError):
    """A rule of money, energy, tariffs or sales was broken."""

    code = "DOMAIN_ERROR"


class AmountInvalid(DomainError):
    code = "AMOUNT_INVALID"


class EnergyInvalid(DomainError):
    code = "ENERGY_INVALID"


class RateInvalid(DomainError):
    code = "RATE_INVALID"


class UnknownCurrency(DomainError):
    code = "UNKNOWN_CURRENCY"


class TariffFileInvalid(DomainError):
    """The tariff file is refused whole; ``key`` and (when known) ``line`` name the fault."""

    code = "TARIFF_INVALID"

    @property
    def key(self) -> str:
        return str(self.details.get("key", ""))

    @property
    def line(self) -> int | None:
        line = self.details.get("line")
        return line if isinstance(line, int) else None


class ShareSplitInvalid(DomainError):
    code = "SHARE_SPLIT_INVALID"


class AmountBelowMinimum(DomainError):
    code = "AMOUNT_BELOW_MINIMUM"


class AmountTooSmall(DomainError):
    code = "AMOUNT_TOO_SMALL"


class EnergyAboveMaximum(DomainError):
    code = "ENERGY_ABOVE_MAXIMUM"


class IllegalSaleTransition(DomainError):
    code = "ILLEGAL_SALE_TRANSITION"
