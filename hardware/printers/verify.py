"""The text in a receipt's QR code, signed so the utility can verify the receipt.

``PPMS1|receipt_no|meter|issued_at|tendered|kwh|token|mac`` where ``mac`` is the first
16 hex digits of HMAC-SHA256 over everything before it, keyed with a secret the terminal
shares with the central computer. Pure: stdlib only, no I/O. Short enough (about 110
characters) for a small QR code on 58 mm paper.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from .errors import ReceiptDataError

VERSION = "PPMS1"
MAC_HEX = 16


@dataclass(frozen=True)
class VerifiedReceipt:
    receipt_no: str
    meter: str
    issued_at: datetime
    tendered: str
    kwh: str
    token: str


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()[:MAC_HEX]


def make_verify_payload(key: bytes, *, receipt_no: str, meter: str, issued_at: datetime,
                        tendered: str, kwh: str, token: str = "") -> str:
    """The QR text for one receipt; ``tendered`` and ``kwh`` as the JSON decimal strings."""
    parts = [receipt_no, meter, issued_at.isoformat(timespec="seconds"), tendered, kwh,
             token or "-"]
    for part in parts:
        if "|" in part or not part:
            raise ReceiptDataError(f"A receipt check field cannot be empty or hold '|': {part!r}")
    body = "|".join([VERSION, *parts])
    return f"{body}|{_mac(key, body)}"


def check_verify_payload(key: bytes, payload: str) -> VerifiedReceipt | None:
    """The receipt the QR text vouches for, or None when it was not made with ``key``."""
    body, _, mac = payload.rpartition("|")
    parts = body.split("|")
    if len(parts) != 7 or parts[0] != VERSION or not hmac.compare_digest(mac, _mac(key, body)):
        return None
    _, receipt_no, meter, issued, tendered, kwh, token = parts
    try:
        issued_at = datetime.fromisoformat(issued)
    except ValueError:
        return None
    return VerifiedReceipt(receipt_no, meter, issued_at, tendered, kwh,
                           "" if token == "-" else token)


__all__ = ["VerifiedReceipt", "check_verify_payload", "make_verify_payload"]
