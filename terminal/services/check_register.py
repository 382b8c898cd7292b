"""`ppms check`'s findings on registration, installation and account transfers:

    TRANSFER_MISMATCH       an approved transfer whose posting does not move exactly its amount
                            from the giving to the receiving customer's account (or a transfer
                            posting that no approval names)
    INSTALLATION_MISMATCH   a meter still `registered` that has an installation row, or a meter
                            installed twice
"""
from __future__ import annotations

from typing import Any

from terminal.ledger import Repositories


def findings(r: Repositories) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for uuid, what in r.transfers.posting_mismatches():
        out.append({"code": "TRANSFER_MISMATCH", "transfer": uuid or None,
                    "message": f"transfer {uuid}: {what}" if uuid else what})
    for number, status, rows in r.meter_files.installation_mismatches():
        out.append({"code": "INSTALLATION_MISMATCH", "meter": number,
                    "message": f"meter {number} is {status} with {rows} installation row(s)"})
    return out
