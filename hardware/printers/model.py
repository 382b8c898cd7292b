"""Plain input types for a receipt: what the terminal hands to the printer package.

The caller (the terminal's services) formats every amount as text already, in the
currency's decimals; this package never does money arithmetic. ``hardware`` imports
nothing of ``terminal``, so these types are the whole contract.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from .errors import ReceiptDataError


class ReceiptKind(str, Enum):
    SALE = "sale"
    REVERSAL = "reversal"
    AMENDMENT = "amendment"
    Z_REPORT = "z_report"
    REPORT = "report"       # a report of terminal.reports in its narrow layout
    TEST_PAGE = "test_page"


@dataclass(frozen=True)
class ReceiptLine:
    """One line of the sale: ``label`` left, ``amount`` right, ``detail`` below it, indented.

    Example: ``ReceiptLine("Energy charge, block 1", "56.51 kWh x 12.0000", "678.12")``.
    """

    label: str
    detail: str = ""
    amount: str = ""


@dataclass(frozen=True)
class ReceiptData:
    """Everything one receipt shows. Empty strings mean "not on this receipt"."""

    kind: ReceiptKind
    receipt_no: str
    issued_at: datetime
    terminal: str = ""
    operator: str = ""
    customer: str = ""
    meter: str = ""
    power_type: str = ""
    tariff_version: str = ""
    payment: str = ""
    lines: tuple[ReceiptLine, ...] = ()
    tendered: str = ""
    energy: str = ""
    token: str = ""
    """STS token: exactly 20 digits (spaces and dashes are ignored), or empty."""
    verify_payload: str = ""
    """Text put in the QR code so the utility can verify the receipt; empty for none."""
    extra: tuple[tuple[str, str], ...] = field(default=())
    """Further label/value rows, e.g. ("Original receipt", "T01-000122"), ("Reason", ...)."""
    copy: bool = False
    """A reprint: marked COPY at the top and the bottom."""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ReceiptKind):
            try:
                object.__setattr__(self, "kind", ReceiptKind(self.kind))
            except ValueError:
                raise ReceiptDataError(f"Unknown receipt kind {self.kind!r}.") from None
        if not self.receipt_no.strip():
            raise ReceiptDataError("A receipt needs a receipt number.")
        lines = tuple(
            ln if isinstance(ln, ReceiptLine) else ReceiptLine(*ln) for ln in self.lines
        )
        object.__setattr__(self, "lines", lines)
        if self.token:
            digits = token_digits(self.token)
            object.__setattr__(self, "token", digits)

    @property
    def token_grouped(self) -> str:
        """The token as the customer keys it in: ``1234 5678 9012 3456 7890``."""
        return " ".join(self.token[i : i + 4] for i in range(0, len(self.token), 4))


def token_digits(token: str) -> str:
    """The 20 digits of an STS token, refusing anything else."""
    digits = "".join(ch for ch in token if ch not in " -")
    if len(digits) != 20 or not digits.isdigit() or not digits.isascii():
        raise ReceiptDataError(f"An STS token has exactly 20 digits, not {token!r}.")
    return digits


__all__ = ["ReceiptData", "ReceiptKind", "ReceiptLine", "token_digits"]
