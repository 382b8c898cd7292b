"""The terminal's error tree.

Every error a cashier, an agent or an import file can cause carries a stable
UPPER_SNAKE ``code`` (the contract of ``--json`` error output) and a message a
cashier understands. Extra facts for screens and scripts sit in ``details``.

::

    PpmsError                          code PPMS_ERROR (root; services subclass it)
    └── DomainError                    code DOMAIN_ERROR
        ├── AmountInvalid              AMOUNT_INVALID        malformed/negative money, too many decimals
        ├── EnergyInvalid              ENERGY_INVALID        malformed/negative kWh, too many decimals, 0 kWh quoted
        ├── RateInvalid                RATE_INVALID          malformed price or percentage
        ├── UnknownCurrency            UNKNOWN_CURRENCY      not an ISO 4217 code       details: currency
        ├── TariffFileInvalid          TARIFF_INVALID        details: key (dotted path), line (int|None)
        ├── ShareSplitInvalid          SHARE_SPLIT_INVALID   mixed-use split not whole percents summing to 100
        ├── AmountBelowMinimum         AMOUNT_BELOW_MINIMUM  details: minimum (money), currency
        ├── AmountTooSmall             AMOUNT_TOO_SMALL      details: needed (money), currency
        ├── EnergyAboveMaximum         ENERGY_ABOVE_MAXIMUM  details: maximum (energy)
        └── IllegalSaleTransition      ILLEGAL_SALE_TRANSITION  details: old, new

In ``details`` money is an integer of the currency's minor unit (with ``currency``, its
ISO code) and energy an integer of 0.01 kWh, as everywhere inside the terminal; an error
names those keys (``money_details``, ``energy_details``) and ``public_details()`` gives
them as the decimal strings of selling.md ("Units"), which is what ``--json`` prints.
"""
from __future__ import annotations

from typing import Any, ClassVar


class PpmsError(Exception):
    """Root of every error the terminal reports to a person or a script."""

    code: str = "PPMS_ERROR"
    money_details: ClassVar[tuple[str, ...]] = ()
    energy_details: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details)

    def as_json(self) -> dict[str, Any]:
        """The ``{"code", "message"}`` object of ``--json`` error output."""
        return {"code": self.code, "message": self.message}

    def public_details(self) -> dict[str, Any]:
        """The JSON-safe details: money and energy as decimal strings, other scalars and lists of
        text as they are."""
        from terminal.domain.money import Currency, currency, format_kwh, format_money  # noqa: PLC0415 (a cycle)
        code = self.details.get("currency")
        cur = currency(str(code)) if code else Currency("", 2)
        out: dict[str, Any] = {}
        for key, value in self.details.items():
            if isinstance(value, int) and not isinstance(value, bool) and key in self.energy_details:
                value = format_kwh(value)
            elif isinstance(value, int) and not isinstance(value, bool) and key in self.money_details:
                value = format_money(value, cur)
            if isinstance(value, (str, int, float, bool)) or value is None:
                out[key] = value
            elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                out[key] = list(value)   # a list of codes (DICTIONARY_VALUE_UNKNOWN's allowed)
        return out

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
    money_details = ("minimum",)


class AmountTooSmall(DomainError):
    code = "AMOUNT_TOO_SMALL"
    money_details = ("needed",)


class EnergyAboveMaximum(DomainError):
    code = "ENERGY_ABOVE_MAXIMUM"
    energy_details = ("maximum",)


class IllegalSaleTransition(DomainError):
    code = "ILLEGAL_SALE_TRANSITION"
